package com.pakaura.binder.dapr.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.stream.binder.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

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
	 * Metrics go to the application's registry (the parent context's) when there is one;
	 * so do the subscriptions, which the application's web server announces and serves.
	 */
	@Bean
	DaprMessageChannelBinder daprMessageChannelBinder(DaprTopicProvisioner provisioner,
			DaprBinderConfigurationProperties properties, DaprExtendedBindingProperties extendedBindingProperties,
			ObjectProvider<MeterRegistry> meters, ObjectProvider<DaprSubscriptions> subscriptions) {
		DaprMessageChannelBinder binder = new DaprMessageChannelBinder(provisioner, properties,
				meters.getIfAvailable(SimpleMeterRegistry::new), subscriptions.getIfAvailable());
		binder.setExtendedBindingProperties(extendedBindingProperties);
		return binder;
	}

}
