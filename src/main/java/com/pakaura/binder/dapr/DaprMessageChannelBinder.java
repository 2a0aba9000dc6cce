package com.pakaura.binder.dapr;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.cloud.stream.binder.AbstractMessageChannelBinder;
import org.springframework.cloud.stream.binder.BinderSpecificPropertiesProvider;
import org.springframework.cloud.stream.binder.ExtendedConsumerProperties;
import org.springframework.cloud.stream.binder.ExtendedProducerProperties;
import org.springframework.cloud.stream.binder.ExtendedPropertiesBinder;
import org.springframework.cloud.stream.provisioning.ConsumerDestination;
import org.springframework.cloud.stream.provisioning.ProducerDestination;
import org.springframework.expression.Expression;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.integration.core.MessageProducer;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHandler;
import org.springframework.util.StringUtils;

import com.pakaura.binder.dapr.properties.DaprBinderConfigurationProperties;
import com.pakaura.binder.dapr.properties.DaprConsumerProperties;
import com.pakaura.binder.dapr.properties.DaprExtendedBindingProperties;
import com.pakaura.binder.dapr.properties.DaprProducerProperties;
import com.pakaura.binder.dapr.provisioning.DaprTopicProvisioner;

/**
 * A Spring Cloud Stream binder that publishes every output binding's messages to the Dapr
 * sidecar's pub/sub HTTP API ({@code POST /v1.0/publish/{pubsub}/{topic}}), body and content
 * type as they are: a structured CloudEvent stays one. Publish only: subscriptions belong to
 * the sidecar.
 */
public class DaprMessageChannelBinder extends
		AbstractMessageChannelBinder<ExtendedConsumerProperties<DaprConsumerProperties>, ExtendedProducerProperties<DaprProducerProperties>, DaprTopicProvisioner>
		implements ExtendedPropertiesBinder<MessageChannel, DaprConsumerProperties, DaprProducerProperties>, DisposableBean {

	private final DaprBinderConfigurationProperties properties;

	private final DaprPublisher publisher;

	private final DaprPublishOutcomes outcomes;

	private final SpelExpressionParser expressions = new SpelExpressionParser();

	private DaprExtendedBindingProperties extendedBindingProperties = new DaprExtendedBindingProperties();

	/**
	 * @param meters where publish outcomes, latencies and the queue length are recorded
	 */
	public DaprMessageChannelBinder(DaprTopicProvisioner provisioner, DaprBinderConfigurationProperties properties,
			MeterRegistry meters) {
		super(new String[0], provisioner);
		this.properties = properties;
		this.outcomes = new DaprPublishOutcomes(meters);
		this.publisher = properties.enabled()
				? new DaprPublishDispatcher(new DaprSidecarClient(properties), properties, this.outcomes)
				: new DisabledDaprPublisher();
	}

	/** Drains what is queued or in flight (bounded by {@code shutdown-timeout}), then lets go of the sidecar. */
	@Override
	public void destroy() {
		this.publisher.close();
	}

	public void setExtendedBindingProperties(DaprExtendedBindingProperties extendedBindingProperties) {
		this.extendedBindingProperties = extendedBindingProperties;
	}

	@Override
	protected MessageHandler createProducerMessageHandler(ProducerDestination destination,
			ExtendedProducerProperties<DaprProducerProperties> producerProperties, @Nullable MessageChannel errorChannel) {
		DaprProducerProperties dapr = producerProperties.getExtension();
		String pubsub = StringUtils.hasText(dapr.getPubsubName()) ? dapr.getPubsubName() : this.properties.pubsubName();
		Expression partitionKey = StringUtils.hasText(dapr.getPartitionKeyExpression())
				? this.expressions.parseExpression(dapr.getPartitionKeyExpression()) : null;
		String binding = (producerProperties.getBindingName() != null) ? producerProperties.getBindingName()
				: destination.getName();
		this.outcomes.registerBinding(binding, destination.getName());
		DaprPublishingHandler handler = new DaprPublishingHandler(binding, destination.getName(), pubsub, partitionKey,
				getEvaluationContext(), dapr.getMetadata(), this.publisher, this.outcomes, this.properties.maxBodySize().toBytes(), errorChannel);
		handler.setBeanFactory(getBeanFactory());
		return handler;
	}

	@Override
	protected MessageProducer createConsumerEndpoint(ConsumerDestination destination, String group,
			ExtendedConsumerProperties<DaprConsumerProperties> properties) {
		throw new UnsupportedOperationException("The dapr binder only publishes; subscribe through the sidecar");
	}

	@Override
	public DaprConsumerProperties getExtendedConsumerProperties(String channelName) {
		return this.extendedBindingProperties.getExtendedConsumerProperties(channelName);
	}

	@Override
	public DaprProducerProperties getExtendedProducerProperties(String channelName) {
		return this.extendedBindingProperties.getExtendedProducerProperties(channelName);
	}

	@Override
	public String getDefaultsPrefix() {
		return this.extendedBindingProperties.getDefaultsPrefix();
	}

	@Override
	public Class<? extends BinderSpecificPropertiesProvider> getExtendedPropertiesEntryClass() {
		return this.extendedBindingProperties.getExtendedPropertiesEntryClass();
	}

}
