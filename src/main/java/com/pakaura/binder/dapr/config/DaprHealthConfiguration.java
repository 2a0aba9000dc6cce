package com.pakaura.binder.dapr.config;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.context.annotation.Bean;

import com.pakaura.binder.dapr.DaprHealthIndicator;
import com.pakaura.binder.dapr.properties.DaprBinderConfigurationProperties;

/**
 * Health contributor {@code dapr}: can the sidecar publish
 * ({@code /v1.0/healthz/outbound})? Shown in {@code /actuator/health}; deliberately in
 * neither the liveness nor the readiness group, since the API works without the sidecar
 * (events are best effort).
 */
@AutoConfiguration
@ConditionalOnClass(ReactiveHealthIndicator.class)
@ConditionalOnEnabledHealthIndicator("dapr")
@EnableConfigurationProperties(DaprBinderConfigurationProperties.class)
public class DaprHealthConfiguration {

	@Bean
	DaprHealthIndicator daprHealthIndicator(DaprBinderConfigurationProperties properties) {
		return new DaprHealthIndicator(properties);
	}

}
