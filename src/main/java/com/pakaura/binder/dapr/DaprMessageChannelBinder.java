package com.pakaura.binder.dapr;

import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
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
import org.springframework.expression.spel.SpelCompilerMode;
import org.springframework.expression.spel.SpelParserConfiguration;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.integration.core.MessageProducer;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHandler;
import org.springframework.util.StringUtils;
import org.springframework.web.reactive.function.client.WebClient;

import com.pakaura.binder.dapr.properties.DaprBinderConfigurationProperties;
import com.pakaura.binder.dapr.properties.DaprConsumerProperties;
import com.pakaura.binder.dapr.properties.DaprExtendedBindingProperties;
import com.pakaura.binder.dapr.properties.DaprProducerProperties;
import com.pakaura.binder.dapr.provisioning.DaprTopicProvisioner;

/**
 * A Spring Cloud Stream binder on the Dapr sidecar's pub/sub HTTP API. Output bindings
 * publish ({@code POST /v1.0/publish/{pubsub}/{topic}}), body and content type as they
 * are: a structured CloudEvent stays one. Input bindings subscribe: each is a
 * programmatic subscription the application announces, and the sidecar delivers its
 * messages over HTTP.
 */
public class DaprMessageChannelBinder extends
		AbstractMessageChannelBinder<ExtendedConsumerProperties<DaprConsumerProperties>, ExtendedProducerProperties<DaprProducerProperties>, DaprTopicProvisioner>
		implements ExtendedPropertiesBinder<MessageChannel, DaprConsumerProperties, DaprProducerProperties>,
		DisposableBean {

	private final DaprBinderConfigurationProperties properties;

	private final DaprPublisher publisher;

	private final DaprPublishOutcomes outcomes;

	private final ObservationRegistry observations;

	/**
	 * Where input bindings become subscriptions; {@code null} outside a reactive web
	 * application.
	 */
	private final @Nullable DaprSubscriptions subscriptions;

	/**
	 * Partition key expressions run once per message: compiled to bytecode once warm
	 * (SpEL's mixed mode, which falls back to interpreting where compiling cannot serve),
	 * since interpreted, {@code headers['partitionKey']} took 4.8% of the outbox relay's
	 * CPU.
	 */
	private final SpelExpressionParser expressions = new SpelExpressionParser(
			new SpelParserConfiguration(SpelCompilerMode.MIXED, DaprMessageChannelBinder.class.getClassLoader()));

	private DaprExtendedBindingProperties extendedBindingProperties = new DaprExtendedBindingProperties();

	/**
	 * @param meters where publish outcomes, latencies and the queue length are recorded
	 * @param observations where sidecar requests are observed, as children of the
	 * sender's observation
	 * @param webClient the sidecar client is built from it (the binder gives it its own
	 * connector), so that it has the application's codecs and observation convention
	 */
	public DaprMessageChannelBinder(DaprTopicProvisioner provisioner, DaprBinderConfigurationProperties properties,
			MeterRegistry meters, ObservationRegistry observations, WebClient.Builder webClient,
			@Nullable DaprSubscriptions subscriptions) {
		super(new String[0], provisioner);
		this.properties = properties;
		this.subscriptions = subscriptions;
		this.outcomes = new DaprPublishOutcomes(meters);
		this.observations = observations;
		this.publisher = properties.enabled() ? new QueuedDaprPublisher(
				new DaprSidecarClient(properties, webClient.observationRegistry(observations)), properties,
				this.outcomes) : new DisabledDaprPublisher(properties.loopback() ? subscriptions : null);
	}

	@Override
	protected void onInit() throws Exception {
		super.onInit();
		this.publisher.start();
	}

	/**
	 * Drains what is queued or in flight (bounded by {@code shutdown-timeout}), then lets
	 * go of the sidecar.
	 */
	@Override
	public void destroy() {
		this.publisher.close();
	}

	public void setExtendedBindingProperties(DaprExtendedBindingProperties extendedBindingProperties) {
		this.extendedBindingProperties = extendedBindingProperties;
	}

	@Override
	protected MessageHandler createProducerMessageHandler(ProducerDestination destination,
			ExtendedProducerProperties<DaprProducerProperties> producerProperties,
			@Nullable MessageChannel errorChannel) {
		DaprProducerProperties dapr = producerProperties.getExtension();
		String pubsub = StringUtils.hasText(dapr.getPubsubName()) ? dapr.getPubsubName() : this.properties.pubsubName();
		Expression partitionKey = StringUtils.hasText(dapr.getPartitionKeyExpression())
				? this.expressions.parseExpression(dapr.getPartitionKeyExpression()) : null;
		String binding = (producerProperties.getBindingName() != null) ? producerProperties.getBindingName()
				: destination.getName();
		this.outcomes.registerBinding(binding, destination.getName());
		DaprPublishingHandler handler = new DaprPublishingHandler(binding, destination.getName(), pubsub, partitionKey,
				getEvaluationContext(), dapr.getMetadata(), this.publisher, this.outcomes, this.observations,
				this.properties.maxBodySize().toBytes(), errorChannel, dapr.isUseConfirmHeader(),
				DaprHeaderMapper.of(producerProperties.getHeaderMode(), binding));
		handler.setBeanFactory(getBeanFactory());
		return handler;
	}

	/**
	 * An input binding becomes a Dapr programmatic subscription, announced on
	 * {@code GET /dapr/subscribe}; the sidecar delivers to its route. The consumer group
	 * is the pub/sub component's ({@code consumerGroup}), not the binding's.
	 */
	@Override
	protected MessageProducer createConsumerEndpoint(ConsumerDestination destination, String group,
			ExtendedConsumerProperties<DaprConsumerProperties> properties) {
		if (this.subscriptions == null) {
			throw new IllegalStateException("The dapr binder receives over HTTP: consumer bindings need a reactive web"
					+ " application, where the sidecar can deliver");
		}
		DaprConsumerProperties dapr = properties.getExtension();
		String binding = (properties.getBindingName() != null) ? properties.getBindingName() : destination.getName();
		String pubsub = StringUtils.hasText(dapr.getPubsubName()) ? dapr.getPubsubName() : this.properties.pubsubName();
		DaprInboundChannelAdapter adapter = new DaprInboundChannelAdapter(binding, destination.getName(),
				buildRetryTemplate(properties), this.outcomes.meters(), dapr.isDropWhenExhausted(),
				DaprHeaderMapper.of(properties.getHeaderMode(), binding));
		adapter.setBeanFactory(getBeanFactory());
		adapter.failuresTo(registerErrorInfrastructure(destination, group, properties).getErrorChannel());
		this.subscriptions.add(new DaprSubscriptions.Subscription(binding, pubsub, destination.getName(),
				dapr.getDeadLetterTopic(), Map.copyOf(dapr.getMetadata()), adapter));
		return adapter;
	}

	@Override
	protected void afterUnbindConsumer(ConsumerDestination destination, String group,
			ExtendedConsumerProperties<DaprConsumerProperties> properties) {
		if (this.subscriptions != null) {
			this.subscriptions
				.remove((properties.getBindingName() != null) ? properties.getBindingName() : destination.getName());
		}
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
