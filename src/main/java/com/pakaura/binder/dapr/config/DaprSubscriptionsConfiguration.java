package com.pakaura.binder.dapr.config;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Answers the sidecar's {@code GET /dapr/subscribe}, which daprd sends at every start to learn
 * the application's programmatic subscriptions. The binder has no consumer bindings, so the
 * answer is 200 with an empty list: what daprd expects from an application without
 * subscriptions (anything but 200 or 404 it logs as an error). The route must be open to the
 * sidecar, which sends no user token.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass(RouterFunction.class)
public class DaprSubscriptionsConfiguration {

	/** The path daprd asks. */
	public static final String SUBSCRIBE_PATH = "/dapr/subscribe";

	@Bean
	RouterFunction<ServerResponse> daprSubscriptions() {
		return RouterFunctions.route()
			.GET(SUBSCRIBE_PATH,
					(request) -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue("[]"))
			.build();
	}

}
