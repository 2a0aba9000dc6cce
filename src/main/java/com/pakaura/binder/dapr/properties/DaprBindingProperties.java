package com.pakaura.binder.dapr.properties;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.cloud.stream.binder.BinderSpecificPropertiesProvider;

/**
 * The Dapr settings of one binding. Annotated with {@code @ConfigurationProperties} only
 * so that the configuration metadata (IDE completion) describes the per-binding keys; it
 * is not bound under that prefix.
 */
@SuppressWarnings("ConfigurationProperties")
@ConfigurationProperties("spring.cloud.stream.dapr.bindings.for-docs-only")
public class DaprBindingProperties implements BinderSpecificPropertiesProvider {

	/** Dapr consumer settings: the binding's subscription. */
	@NestedConfigurationProperty
	private DaprConsumerProperties consumer = new DaprConsumerProperties();

	/** Dapr producer settings. */
	@NestedConfigurationProperty
	private DaprProducerProperties producer = new DaprProducerProperties();

	@Override
	public DaprConsumerProperties getConsumer() {
		return this.consumer;
	}

	public void setConsumer(DaprConsumerProperties consumer) {
		this.consumer = consumer;
	}

	@Override
	public DaprProducerProperties getProducer() {
		return this.producer;
	}

	public void setProducer(DaprProducerProperties producer) {
		this.producer = producer;
	}

}
