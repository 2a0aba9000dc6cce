package com.pakaura.binder.dapr;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.json.JsonMapper;

import com.pakaura.binder.dapr.FakeDaprSidecar.Delivered;
import com.pakaura.binder.dapr.FakeDaprSubscriber.AppDelivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * The fake subscriber against daprd's rules for what an application's answer does
 * (FakeDaprSubscriber's javadoc gives the sources), on each supported version, with an
 * application that answers from a script.
 */
class FakeDaprSubscriberRulesTest {

	private static final String ROUTE = "/dapr/subscriptions/updates-in-0";

	private final Queue<Integer> statuses = new ConcurrentLinkedQueue<>();

	private final Queue<String> answers = new ConcurrentLinkedQueue<>();

	private @Nullable HttpServer app;

	private @Nullable FakeDaprSubscriber subscriber;

	@AfterEach
	void stop() {
		if (this.subscriber != null) {
			this.subscriber.close();
		}
		if (this.app != null) {
			this.app.stop(0);
		}
	}

	@ParameterizedTest
	@EnumSource(DaprVersion.class)
	void withADeadLetterTopicTheFirstFailureGoesThere(DaprVersion version) throws IOException {
		FakeDaprSubscriber subscriber = subscribed(version, "updates-dlq");
		answer(200, "RETRY");
		subscriber.offer(delivered("m-1"));
		await().until(() -> subscriber.deliveries().size() == 1);
		assertThat(subscriber.deliveries()).extracting(AppDelivery::outcome).containsExactly("dead-letter");
	}

	@ParameterizedTest
	@EnumSource(DaprVersion.class)
	void aResiliencyRetryPolicyGivesMoreAttemptsBeforeTheDeadLetterTopic(DaprVersion version) throws IOException {
		FakeDaprSubscriber subscriber = subscribed(version, "updates-dlq");
		subscriber.resiliencyRetries(2);
		answer(500, "");
		answer(200, "RETRY");
		answer(200, "RETRY");
		subscriber.offer(delivered("m-1"));
		await().until(() -> subscriber.deliveries().size() == 3);
		assertThat(subscriber.deliveries()).extracting(AppDelivery::outcome)
			.containsExactly("retry", "retry", "dead-letter");
	}

	@ParameterizedTest
	@EnumSource(DaprVersion.class)
	void withoutOneAFailedMessageIsRedeliveredUntilTakenAndTheNextOnesWait(DaprVersion version) throws IOException {
		FakeDaprSubscriber subscriber = subscribed(version, null);
		answer(200, "RETRY");
		answer(503, "");
		answer(200, "RETRY");
		subscriber.offer(delivered("m-1"));
		subscriber.offer(delivered("m-2"));
		await().until(() -> subscriber.deliveries().size() == 5);
		assertThat(subscriber.deliveries()).extracting(AppDelivery::eventId, AppDelivery::outcome)
			.containsExactly(tuple("m-1", "retry"), tuple("m-1", "retry"), tuple("m-1", "retry"), tuple("m-1", "ack"),
					tuple("m-2", "ack"));
	}

	@ParameterizedTest
	@EnumSource(DaprVersion.class)
	void a404IsDroppedOn116AndDeadLetteredFrom117(DaprVersion version) throws IOException {
		FakeDaprSubscriber subscriber = subscribed(version, "updates-dlq");
		answer(404, "");
		subscriber.offer(delivered("m-1"));
		await().until(() -> subscriber.deliveries().size() == 1);
		assertThat(subscriber.deliveries()).extracting(AppDelivery::outcome)
			.containsExactly((version == DaprVersion.V1_16) ? "drop" : "dead-letter");
	}

	private void answer(int status, String body) {
		this.statuses.add(status);
		this.answers.add(body);
	}

	/** The application is up and has announced one subscription; the fake has asked. */
	private FakeDaprSubscriber subscribed(DaprVersion version, @Nullable String deadLetterTopic) throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		String subscriptions = JsonMapper.builder()
			.build()
			.writeValueAsString(new Object[] { (deadLetterTopic != null)
					? Map.of("pubsubname", "pubsub-kafka", "topic", "updates", "routes", Map.of("default", ROUTE),
							"deadLetterTopic", deadLetterTopic)
					: Map.of("pubsubname", "pubsub-kafka", "topic", "updates", "routes", Map.of("default", ROUTE)) });
		server.createContext("/", (exchange) -> {
			if (exchange.getRequestMethod().equals("GET")) {
				respond(exchange, 200, subscriptions);
			}
			else {
				exchange.getRequestBody().readAllBytes();
				Integer status = this.statuses.poll();
				String answer = this.answers.poll();
				respond(exchange, (status != null) ? status : 200, (answer == null || answer.isEmpty())
						? "{\"status\":\"SUCCESS\"}" : "{\"status\":\"" + answer + "\"}");
			}
		});
		server.start();
		this.app = server;
		FakeDaprSubscriber subscriber = new FakeDaprSubscriber(() -> version);
		subscriber.redeliveryInterval(Duration.ofMillis(20));
		subscriber.subscribe(server.getAddress().getPort(), null, Set.of("pubsub-kafka"));
		this.subscriber = subscriber;
		return subscriber;
	}

	private static void respond(HttpExchange exchange, int status, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.sendResponseHeaders(status, bytes.length);
		exchange.getResponseBody().write(bytes);
		exchange.close();
	}

	private static Delivered delivered(String id) {
		String event = "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"s\",\"type\":\"t\"}";
		return new Delivered("pubsub-kafka", "updates", "k", Map.of(), JsonMapper.builder().build().readTree(event),
				event.getBytes(StandardCharsets.UTF_8), Instant.now());
	}

}
