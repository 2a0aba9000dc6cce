package com.pakaura.binder.dapr.config;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.pakaura.binder.dapr.DaprSubscriberRoutes;
import com.pakaura.binder.dapr.DaprSubscriptions;
import com.pakaura.binder.dapr.properties.DaprBinderConfigurationProperties;

/**
 * The subscriber half in a reactive web application: the subscriptions the binder fills
 * as it binds consumers, and {@link DaprSubscriberRoutes} serving them to daprd.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass(RouterFunction.class)
@EnableConfigurationProperties(DaprBinderConfigurationProperties.class)
public class DaprSubscriptionsConfiguration {

	@Bean
	DaprSubscriptions daprSubscriptions() {
		return new DaprSubscriptions();
	}

	@Bean
	RouterFunction<ServerResponse> daprSubscriptionRoutes(DaprSubscriptions subscriptions,
			DaprBinderConfigurationProperties properties) {
		return DaprSubscriberRoutes.of(subscriptions, properties.appApiToken(), properties.maxBodySize().toBytes());
	}

}
