package com.pakaura.binder.dapr;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The application's side of Dapr's subscriber contract, in the application's web server:
 * <ul>
 * <li>{@code GET /dapr/subscribe}, which daprd sends at every start: 200 with the input
 * bindings' subscriptions, {@code []} when there are none (daprd reads 404 as none and
 * logs any other status as an error: dapr pkg/runtime/pubsub/subscriptions.go
 * {@code GetSubscriptionsHTTP});</li>
 * <li>{@code POST /dapr/subscriptions/{binding}}: a delivery, answered 200 with
 * {@code {"status": ...}} ({@link DeliveryStatus}); 404 only for a binding that does not
 * exist, which daprd reads as "drop"
 * (pkg/runtime/subscription/postman/http/http.go).</li>
 * </ul>
 * The sidecar sends no user token: the routes must be open to it. With
 * {@code app-api-token} set they require it as {@code dapr-api-token} (the header the app
 * sends the sidecar its own token in, the other way), compared in constant time.
 */
public final class DaprSubscriberRoutes {

	/** The path daprd asks. */
	public static final String SUBSCRIBE_PATH = "/dapr/subscribe";

	private DaprSubscriberRoutes() {
	}

	/**
	 * The two routes, for these subscriptions; with an app token, a request without it
	 * gets 401.
	 */
	public static RouterFunction<ServerResponse> of(DaprSubscriptions subscriptions, @Nullable String appToken,
			long maxBodyBytes) {
		byte[] token = (appToken == null || appToken.isEmpty()) ? null : appToken.getBytes(StandardCharsets.UTF_8);
		return RouterFunctions.route()
			.GET(SUBSCRIBE_PATH,
					(request) -> refused(request, token).switchIfEmpty(ServerResponse.ok()
						.contentType(MediaType.APPLICATION_JSON)
						.bodyValue(subscriptions.asDaprSubscriptions())))
			.POST(DaprSubscriptions.ROUTE_PREFIX + "{binding}",
					(request) -> refused(request, token)
						.switchIfEmpty(Mono.defer(() -> deliver(request, subscriptions, maxBodyBytes))))
			.build();
	}

	/**
	 * The body is read up to the binder's {@code max-body-size}, not the application's
	 * codec limit: what the binder lets the application publish, it takes back. A larger
	 * one is answered DROP, since daprd would redeliver a 413 for ever.
	 */
	private static Mono<ServerResponse> deliver(ServerRequest request, DaprSubscriptions subscriptions,
			long maxBodyBytes) {
		return subscriptions.forBinding(request.pathVariable("binding"))
			.map((subscription) -> DataBufferUtils
				.join(request.exchange().getRequest().getBody(), (int) Math.min(maxBodyBytes, Integer.MAX_VALUE))
				.map(DaprSubscriberRoutes::bytesOf)
				.defaultIfEmpty(new byte[0])
				// the binding's handler may block: off the event loop
				.publishOn(Schedulers.boundedElastic())
				.map((body) -> subscription.receiver().deliver(headersOf(request), body))
				.onErrorResume(DataBufferLimitException.class,
						(tooLarge) -> Mono.fromSupplier(() -> subscription.receiver().tooLarge(maxBodyBytes)))
				.flatMap((status) -> ServerResponse.ok()
					.contentType(MediaType.APPLICATION_JSON)
					.bodyValue(Map.of("status", status.name()))))
			.orElseGet(() -> ServerResponse.notFound().build());
	}

	private static byte[] bytesOf(DataBuffer buffer) {
		try {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			return bytes;
		}
		finally {
			DataBufferUtils.release(buffer);
		}
	}

	private static Mono<ServerResponse> refused(ServerRequest request, byte @Nullable [] token) {
		if (token == null) {
			return Mono.empty();
		}
		String sent = request.headers().firstHeader(DaprSidecarClient.API_TOKEN_HEADER);
		// constant time: how long the comparison takes says nothing about the token
		if (sent != null && MessageDigest.isEqual(token, sent.getBytes(StandardCharsets.UTF_8))) {
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
