package com.pakaura.binder.dapr.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.stream.binder.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;

import com.pakaura.binder.dapr.DaprMessageChannelBinder;
import com.pakaura.binder.dapr.DaprSubscriptions;
import com.pakaura.binder.dapr.properties.DaprBinderConfigurationProperties;
import com.pakaura.binder.dapr.properties.DaprExtendedBindingProperties;
import com.pakaura.binder.dapr.provisioning.DaprTopicProvisioner;

/**
 * The {@code dapr} binder, as Spring Cloud Stream creates it: in a child context of the
 * application, on first use (registered in {@code META-INF/spring.binders}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnMissingBean(Binder.class)
@EnableConfigurationProperties({ DaprBinderConfigurationProperties.class, DaprExtendedBindingProperties.class })
public class DaprBinderConfiguration {

	@Bean
	DaprTopicProvisioner daprTopicProvisioner() {
		return new DaprTopicProvisioner();
	}

	/**
	 * Metrics and observations go to the application's registries (the parent context's)
	 * when there are some, and the sidecar client starts from the application's
	 * {@code WebClient.Builder} (Boot's, with its observation convention); so do the
	 * subscriptions, which the application's web server announces and serves.
	 */
	@Bean
	DaprMessageChannelBinder daprMessageChannelBinder(DaprTopicProvisioner provisioner,
			DaprBinderConfigurationProperties properties, DaprExtendedBindingProperties extendedBindingProperties,
			ObjectProvider<MeterRegistry> meters, ObjectProvider<ObservationRegistry> observations,
			ObjectProvider<WebClient.Builder> webClient, ObjectProvider<DaprSubscriptions> subscriptions) {
		DaprMessageChannelBinder binder = new DaprMessageChannelBinder(provisioner, properties,
				meters.getIfAvailable(SimpleMeterRegistry::new),
				observations.getIfAvailable(() -> ObservationRegistry.NOOP),
				webClient.getIfAvailable(WebClient::builder), subscriptions.getIfAvailable());
		binder.setExtendedBindingProperties(extendedBindingProperties);
		return binder;
	}

}
