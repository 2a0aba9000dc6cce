package com.pakaura.binder.dapr.config;

import java.util.Map;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.cloud.stream.config.BindingHandlerAdvise;
import org.springframework.context.annotation.Bean;

import com.pakaura.binder.dapr.properties.DaprExtendedBindingProperties;

/**
 * Makes {@code spring.cloud.stream.dapr.default.*} the defaults of every
 * {@code spring.cloud.stream.dapr.bindings.<name>.*}. Lives in the application context.
 */
@AutoConfiguration
public class DaprBindingMappingsConfiguration {

	@Bean
	BindingHandlerAdvise.MappingsProvider daprExtendedPropertiesDefaultMappingsProvider() {
		return () -> Map.of(ConfigurationPropertyName.of("spring.cloud.stream.dapr.bindings"),
				ConfigurationPropertyName.of(DaprExtendedBindingProperties.DEFAULTS_PREFIX));
	}

}
