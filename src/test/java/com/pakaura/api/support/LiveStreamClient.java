package com.pakaura.api.support;

import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;

import static org.awaitility.Awaitility.await;

/** A user's {@code GET /api/tasks/stream}, read as a client reads it. */
public final class LiveStreamClient {

	private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {
	};

	private LiveStreamClient() {
	}

	/**
	 * Opens the user's stream on the service at this port, resuming after
	 * {@code lastEventId} when given, and adds each event (not the heartbeats) to
	 * {@code into}. Returns once the server has registered the stream.
	 */
	public static Disposable watch(int port, MeterRegistry meters, String userId, @Nullable String lastEventId,
			List<ServerSentEvent<String>> into) {
		WebClient client = WebClient.builder()
			.baseUrl("http://localhost:" + port)
			.clientConnector(OneRequestPerConnection.connector())
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + Tokens.forUser(userId))
			.build();
		double open = openStreams(meters);
		Disposable subscription = client.get().uri("/api/tasks/stream").headers((headers) -> {
			if (lastEventId != null) {
				headers.set("Last-Event-ID", lastEventId);
			}
		})
			.accept(MediaType.TEXT_EVENT_STREAM)
			.retrieve()
			.bodyToFlux(SSE)
			.filter((event) -> event.event() != null)
			.subscribe(into::add);
		await().until(() -> openStreams(meters) > open);
		return subscription;
	}

	private static double openStreams(MeterRegistry meters) {
		return meters.get("pakaura.stream.clients").gauge().value();
	}

}
