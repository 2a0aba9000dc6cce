package com.pakaura.binder.dapr;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.messaging.support.MessageBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What daprd 1.16-1.18 does with what the binder sends, as the fake sidecar models it,
 * each rule beside the Dapr source it comes from (dapr/dapr v1.16.19 and v1.18.3,
 * dapr/components-contrib v1.16.13 and v1.18.4 unless named). These are the rules whose
 * effect a consumer or an operator sees.
 */
class DaprSidecarFidelityTest extends WithFreshSidecarEachTest {

	private static final Duration PATIENCE = Duration.ofSeconds(60);

	/**
	 * daprd decodes a structured event into a map and writes it back with Go's
	 * encoding/json (pkg/api/http/http.go onPublish: json.Marshal(envelope)): sorted
	 * keys, no white space, {@code <>&} escaped. Consumers get those bytes, which parse
	 * back to the same values.
	 */
	@Test
	void consumersGetGoReSerializedBytesThatParseBackToTheSameValues() {
		String title = "<b>Tom & Jerry</b> \u2014 \u00fcn\u00efc\u00f8d\u00e9 \ud83d\ude00";
		String event = "{\"specversion\":\"1.0\",\"id\":\"e-1\",\"type\":\"t\",\"source\":\"s\",\"traceid\":\"c\","
				+ "\"data\":{\"title\":\"" + title + "\"}}";
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port())) {
			app.streamBridge()
				.send("orders",
						MessageBuilder.withPayload(event.getBytes(StandardCharsets.UTF_8))
							.setHeader("partitionKey", "k")
							.build());
			await().atMost(PATIENCE).until(() -> this.sidecar.delivered().size() == 1);
		}
		FakeDaprSidecar.Delivered delivered = this.sidecar.delivered().get(0);
		assertThat(delivered.text())
			.startsWith("{\"data\":{\"title\":\"\\u003cb\\u003eTom \\u0026 Jerry\\u003c/b\\u003e \u2014 ")
			.contains("\"id\":\"e-1\",\"pubsubname\":\"pubsub-kafka\",\"source\":\"s\",\"specversion\":\"1.0\"")
			.doesNotContain(" \"")
			.doesNotContain("<")
			.doesNotContain("&");
		assertThat(delivered.bytes()).isNotEqualTo(event.getBytes(StandardCharsets.UTF_8));
		assertThat(delivered.event().get("data").get("title").stringValue()).isEqualTo(title);
	}

	/**
	 * {@code POST /v1.0/shutdown} answers 204 on every version, and shuts daprd down only
	 * from 1.17.7/1.18.0 (dapr/dapr#9949; v1.18.3 pkg/api/http/shutdown.go
	 * {@code onShutdown}): after it, a 1.18 sidecar takes no new connection, a 1.16 one
	 * still publishes.
	 */
	@ParameterizedTest
	@EnumSource(DaprVersion.class)
	void theShutdownEndpointStopsTheSidecarFrom117(DaprVersion version) throws Exception {
		this.sidecar.version(version);
		HttpClient http = HttpClient.newHttpClient();
		HttpResponse<Void> answer = http
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.sidecar.port() + "/v1.0/shutdown"))
				.POST(HttpRequest.BodyPublishers.noBody())
				.build(), HttpResponse.BodyHandlers.discarding());
		assertThat(answer.statusCode()).isEqualTo(204);
		HttpRequest publish = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.sidecar.port() + "/v1.0/publish/pubsub-kafka/orders"))
			.header("Content-Type", "application/cloudevents+json")
			.POST(HttpRequest.BodyPublishers.ofString(EVENT))
			.build();
		if (version.stableBulkRoute()) {
			// a new client: the listener is closed, so the connection is refused
			await().atMost(PATIENCE)
				.untilAsserted(() -> assertThatThrownBy(
						() -> HttpClient.newHttpClient().send(publish, HttpResponse.BodyHandlers.discarding()))
					.isInstanceOf(IOException.class));
		}
		else {
			assertThat(HttpClient.newHttpClient().send(publish, HttpResponse.BodyHandlers.discarding()).statusCode())
				.isEqualTo(204);
		}
	}

	/**
	 * rawPayload is read with Go's strconv.ParseBool (dapr pkg/metadata utils.go
	 * IsRawPayload): 1, t, T, TRUE, true, True and their false forms are valid, "" means
	 * not raw, anything else is 400 ERR_PUBSUB_REQUEST_METADATA.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "1", "t", "T", "TRUE", "True", "true", "0", "f", "F", "FALSE", "False", "false", "" })
	void rawPayloadAcceptsWhatGosParseBoolAccepts(String value) {
		assertThat(publishWith("rawPayload", value)).isEqualTo(204);
	}

	@ParameterizedTest
	@ValueSource(strings = { "tRuE", "yes", "on", "2", "truee" })
	void rawPayloadRefusesWhatGosParseBoolRefuses(String value) {
		assertThat(publishWith("rawPayload", value)).isEqualTo(400);
		assertThat(this.sidecar.delivered()).isEmpty();
	}

	/**
	 * rawPayload=true: no envelope at all, the body reaches the broker as it was sent
	 * (onPublish).
	 */
	@Test
	void aRawPayloadReachesTheBrokerByteForByte() {
		assertThat(publishWith("rawPayload", "1")).isEqualTo(204);
		FakeDaprSidecar.Delivered delivered = this.sidecar.delivered().get(0);
		assertThat(delivered.text()).isEqualTo(EVENT);
		assertThat(delivered.event().has("topic")).isFalse();
	}

	/**
	 * A TTL (ttlInSeconds or ttl, whole seconds or a Go duration) adds expiration; none
	 * when it is not positive (dapr pkg/metadata utils.go TryGetTTL; contrib
	 * pubsub/envelope.go ApplyMetadata).
	 */
	@Test
	void aTtlInSecondsOrAsAGoDurationAddsAnExpirationAndZeroAddsNone() {
		Instant before = Instant.now();
		assertThat(publishWith("ttlInSeconds", "120")).isEqualTo(204);
		assertThat(publishWith("ttl", "1h30m")).isEqualTo(204);
		assertThat(publishWith("ttlInSeconds", "0")).isEqualTo(204);
		assertThat(this.sidecar.delivered()).extracting((delivered) -> delivered.event().has("expiration"))
			.containsExactly(true, true, false);
		assertThat(Instant.parse(this.sidecar.delivered().get(1).event().get("expiration").stringValue()))
			.isAfter(before.plus(Duration.ofMinutes(89)));
	}

	/**
	 * __key is a Kafka record key as well as partitionKey (contrib
	 * common/component/kafka/metadata.go).
	 */
	@Test
	void theKafkaKeyMayAlsoBeNamedUnderscoreKey() {
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"spring.cloud.stream.dapr.bindings.orders.producer.partition-key-expression=",
				"spring.cloud.stream.dapr.bindings.orders.producer.metadata.__key=tenant-7")) {
			app.streamBridge()
				.send("orders", MessageBuilder.withPayload(EVENT.getBytes(StandardCharsets.UTF_8)).build());
			await().atMost(PATIENCE).until(() -> this.sidecar.delivered().size() == 1);
		}
		assertThat(this.sidecar.delivered().get(0).key()).isEqualTo("tenant-7");
	}

	/**
	 * The topic is taken from the path and unescaped as a query value: %2F a slash, + a
	 * space.
	 */
	@Test
	void theTopicIsUnescaped() {
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"spring.cloud.stream.bindings.orders.destination=audit log")) {
			app.streamBridge()
				.send("orders", MessageBuilder.withPayload(EVENT.getBytes(StandardCharsets.UTF_8)).build());
			await().atMost(PATIENCE).until(() -> this.sidecar.delivered().size() == 1);
		}
		assertThat(this.sidecar.delivered().get(0).topic()).isEqualTo("audit log");
		assertThat(this.sidecar.delivered().get(0).event().get("topic").stringValue()).isEqualTo("audit log");
	}

	/**
	 * 401 as Go's http.Error writes it (dapr pkg/api/http middlewares.go
	 * APITokenAuthMiddleware).
	 */
	@Test
	void aWrongTokenIsAPlainText401WithANewline() {
		this.sidecar.apiToken("right");
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"spring.cloud.stream.dapr.binder.api-token=wrong")) {
			app.streamBridge()
				.send("orders", MessageBuilder.withPayload(EVENT.getBytes(StandardCharsets.UTF_8)).build());
			await().atMost(PATIENCE).until(() -> app.published("http_error") == 1);
		}
		assertThat(this.sidecar.requests().get(0).status()).isEqualTo(401);
	}

	private static final String EVENT = SampleEvents.minimalJson("e-2");

	/**
	 * Publishes one event with this metadata entry and returns the status the sidecar
	 * answered.
	 */
	private int publishWith(String name, String value) {
		int before = this.sidecar.requests().size();
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"spring.cloud.stream.dapr.bindings.orders.producer.metadata." + name + "=" + value)) {
			app.streamBridge()
				.send("orders",
						MessageBuilder.withPayload(EVENT.getBytes(StandardCharsets.UTF_8))
							.setHeader("partitionKey", "k")
							.build());
			await().atMost(PATIENCE)
				.until(() -> this.sidecar.requests().size() > before
						&& app.published("success") + app.published("http_error") == 1);
		}
		return this.sidecar.requests().get(this.sidecar.requests().size() - 1).status();
	}

}
