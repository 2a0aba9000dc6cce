package com.pakaura.binder.dapr.config;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.pakaura.binder.dapr.DaprSubscriptions;
import com.pakaura.binder.dapr.properties.DaprBinderConfigurationProperties;

/**
 * The application's side of Dapr's subscriber contract, in the application's web server:
 * <ul>
 * <li>{@code GET /dapr/subscribe}, which daprd sends at every start: 200 with the input
 * bindings' subscriptions, {@code []} when there are none (daprd reads 404 as none and
 * logs any other status as an error: dapr pkg/runtime/pubsub/subscriptions.go
 * {@code GetSubscriptionsHTTP});</li>
 * <li>{@code POST /dapr/subscriptions/{binding}}: a delivery, answered 200 with
 * {@code {"status": "SUCCESS" | "RETRY" | "DROP"}}; 404 only for a binding that does not
 * exist, since daprd drops a message answered 404 without its dead-letter topic.</li>
 * </ul>
 * The sidecar sends no user token: the routes must be open to it. With
 * {@code app-api-token} set they require it as {@code dapr-api-token}.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass(RouterFunction.class)
@EnableConfigurationProperties(DaprBinderConfigurationProperties.class)
public class DaprSubscriptionsConfiguration {

	/** The path daprd asks. */
	public static final String SUBSCRIBE_PATH = "/dapr/subscribe";

	private static final String APP_TOKEN_HEADER = "dapr-api-token";

	@Bean
	DaprSubscriptions daprSubscriptions() {
		return new DaprSubscriptions();
	}

	@Bean
	RouterFunction<ServerResponse> daprSubscriptionRoutes(DaprSubscriptions subscriptions,
			DaprBinderConfigurationProperties properties) {
		String token = properties.appApiToken();
		return RouterFunctions.route()
			.GET(SUBSCRIBE_PATH,
					(request) -> refused(request, token).switchIfEmpty(ServerResponse.ok()
						.contentType(MediaType.APPLICATION_JSON)
						.bodyValue(subscriptions.asDaprSubscriptions())))
			.POST(DaprSubscriptions.ROUTE_PREFIX + "{binding}",
					(request) -> refused(request, token)
						.switchIfEmpty(Mono.defer(() -> deliver(request, subscriptions))))
			.build();
	}

	private static Mono<ServerResponse> deliver(ServerRequest request, DaprSubscriptions subscriptions) {
		return subscriptions.forBinding(request.pathVariable("binding"))
			.map((subscription) -> request.bodyToMono(byte[].class)
				.defaultIfEmpty(new byte[0])
				// the binding's handler may block: off the event loop
				.publishOn(Schedulers.boundedElastic())
				.map((body) -> subscription.receiver().deliver(headersOf(request), body))
				.flatMap((status) -> ServerResponse.ok()
					.contentType(MediaType.APPLICATION_JSON)
					.bodyValue(Map.of("status", status))))
			.orElseGet(() -> ServerResponse.notFound().build());
	}

	private static Mono<ServerResponse> refused(ServerRequest request, @Nullable String token) {
		if (token == null || token.isEmpty() || token.equals(request.headers().firstHeader(APP_TOKEN_HEADER))) {
			return Mono.empty();
		}
		return ServerResponse.status(HttpStatus.UNAUTHORIZED)
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue("invalid app token");
	}

	private static Map<String, String> headersOf(ServerRequest request) {
		Map<String, String> headers = new LinkedHashMap<>();
		request.headers().asHttpHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
		return headers;
	}

}
