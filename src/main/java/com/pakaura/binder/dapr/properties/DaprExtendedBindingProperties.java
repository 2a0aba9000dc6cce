package com.pakaura.binder.dapr.properties;

import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.cloud.stream.binder.AbstractExtendedBindingProperties;
import org.springframework.cloud.stream.binder.BinderSpecificPropertiesProvider;

/** Per-binding Dapr settings, {@code spring.cloud.stream.dapr.bindings.<binding>.*}. */
@ConfigurationProperties("spring.cloud.stream.dapr")
public class DaprExtendedBindingProperties extends
		AbstractExtendedBindingProperties<DaprConsumerProperties, DaprProducerProperties, DaprBindingProperties> {

	public static final String DEFAULTS_PREFIX = "spring.cloud.stream.dapr.default";

	@Override
	public String getDefaultsPrefix() {
		return DEFAULTS_PREFIX;
	}

	/** Dapr settings per binding name (e.g. {@code task-events}). */
	@Override
	public Map<String, DaprBindingProperties> getBindings() {
		return doGetBindings();
	}

	@Override
	public Class<? extends BinderSpecificPropertiesProvider> getExtendedPropertiesEntryClass() {
		return DaprBindingProperties.class;
	}

}
