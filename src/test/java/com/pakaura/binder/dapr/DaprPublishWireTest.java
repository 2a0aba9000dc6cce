package com.pakaura.binder.dapr;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageDeliveryException;
import org.springframework.messaging.support.MessageBuilder;

import com.pakaura.binder.dapr.FakeDaprSidecar.Delivered;
import com.pakaura.binder.dapr.FakeDaprSidecar.Request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/** Exactly what goes over the wire to the sidecar. */
class DaprPublishWireTest extends WithFreshSidecarEachTest {

	private static final String EVENT = "{\"specversion\":\"1.0\",\"id\":\"e-1\",\"source\":\"test\",\"type\":\"t.created\",\"traceid\":\"corr-1\",\"data\":{\"n\":1}}";

	private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

	private static final String TRACESTATE = "congo=t61rcWkgMzE";

	@Test
	void aStructuredCloudEventIsPostedAsIsWithItsKeyAndTraceHeaders() {
		// without tracing, the message's W3C headers are what the sidecar gets
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"management.tracing.export.enabled=false", "spring.cloud.stream.dapr.binder.bulk-publish=false")) {
			app.streamBridge().send("orders", withTraceContext(event("key-42")));

			Request request = awaitRequests(1).get(0);
			assertThat(request.method()).isEqualTo("POST");
			assertThat(request.path()).isEqualTo("/v1.0/publish/pubsub-kafka/orders?metadata.partitionKey=key-42");
			assertThat(request.headers()).containsEntry("content-type", "application/cloudevents+json")
				.containsEntry("traceparent", TRACEPARENT)
				.containsEntry("tracestate", TRACESTATE)
				.doesNotContainKey("dapr-api-token");
			assertThat(request.bodyText()).isEqualTo(EVENT);
			assertThat(request.status()).isEqualTo(204);
			await().atMost(Duration.ofSeconds(60)).until(() -> app.published("success") == 1);
		}
	}

	@Test
	void withHeaderModeNoneNoMessageHeaderReachesTheSidecar() {
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"management.tracing.export.enabled=false", "spring.cloud.stream.dapr.binder.bulk-publish=false",
				"spring.cloud.stream.bindings.orders.producer.header-mode=none")) {
			app.streamBridge().send("orders", withTraceContext(event("key-42")));

			Request request = awaitRequests(1).get(0);
			assertThat(request.headers()).doesNotContainEntry("traceparent", TRACEPARENT)
				.doesNotContainKey("tracestate");
			assertThat(request.bodyText()).isEqualTo(EVENT);
			await().atMost(Duration.ofSeconds(60)).until(() -> app.published("success") == 1);
		}
	}

	/**
	 * Refused when the binding is created: Spring Cloud Stream logs the cause at ERROR
	 * and retries the binding, and until then a send has nobody to go to.
	 */
	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void aBindingWithEmbeddedHeadersIsRefusedWhenItIsCreated(CapturedOutput output) {
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"spring.cloud.stream.bindings.orders.producer.header-mode=embeddedHeaders")) {
			assertThatExceptionOfType(MessageDeliveryException.class)
				.isThrownBy(() -> app.streamBridge().send("orders", event("k").build()));
			assertThat(output).contains("Failed to create producer binding")
				.contains("Binding 'orders': the dapr binder has no embedded headers");
			assertThat(this.sidecar.requests()).isEmpty();
		}
	}

	@Test
	void inBulkEachEventIsAnEntryWithItsKeyOnTheEntryAndTheEventAsItIs() {
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"management.tracing.export.enabled=false")) {
			app.streamBridge()
				.send("orders",
						event("key-\"42\"")
							.setHeader("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
							.build());

			await().atMost(Duration.ofSeconds(60)).until(() -> this.sidecar.bulkRequests().size() == 1);
			FakeDaprSidecar.BulkRequest request = this.sidecar.bulkRequests().get(0);
			assertThat(request.path()).isEqualTo("/v1.0/publish/bulk/pubsub-kafka/orders");
			assertThat(request.headers()).containsEntry("content-type", "application/json")
				.containsEntry("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
			// nothing on the request's metadata: the Kafka component would copy it over
			// the
			// entries'
			assertThat(new String(request.body(), StandardCharsets.UTF_8)).isEqualTo("[{\"entryId\":\"0\",\"event\":"
					+ EVENT
					+ ",\"contentType\":\"application/cloudevents+json\",\"metadata\":{\"partitionKey\":\"key-\\\"42\\\"\"}}]");
			assertThat(request.status()).isEqualTo(204);
			assertThat(this.sidecar.delivered()).singleElement()
				.satisfies((delivered) -> assertThat(delivered.key()).isEqualTo("key-\"42\""));
			await().atMost(Duration.ofSeconds(60)).until(() -> app.published("success") == 1);
		}
	}

	@Test
	void withTracingTheSidecarRequestIsASpanOfTheSendersObservation() {
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port())) {
			ObservationRegistry observations = app.context().getBean(ObservationRegistry.class);
			Tracer tracer = app.context().getBean(Tracer.class);
			Observation sending = Observation.start("test.sending", observations);
			String traceId;
			try (Observation.Scope scope = sending.openScope()) {
				traceId = tracer.currentSpan().context().traceId();
				app.streamBridge()
					.send("orders",
							event("k")
								.setHeader("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
								.build());
			}
			finally {
				sending.stop();
			}
			String traceparent = awaitRequests(1).get(0).headers().get("traceparent");
			// the request's own span, in the sender's trace: Dapr's spans join that trace
			assertThat(traceparent).matches("00-" + traceId + "-[0-9a-f]{16}-0[01]");
			// the event keeps the trace context it was given
			assertThat(this.sidecar.delivered().get(0).event().get("traceid").stringValue()).isEqualTo("corr-1");
		}
	}

	@Test
	void theApiTokenIsSentWhenSetAndTheSidecarRefusesAWrongOne() {
		this.sidecar.apiToken("s3cret-token");
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"spring.cloud.stream.dapr.binder.api-token=s3cret-token")) {
			app.streamBridge().send("orders", event("k").build());
			assertThat(awaitRequests(1).get(0).headers()).containsEntry("dapr-api-token", "s3cret-token");
			assertThat(this.sidecar.delivered()).hasSize(1);
		}
		this.sidecar.reset();
		this.sidecar.apiToken("s3cret-token");
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"spring.cloud.stream.dapr.binder.api-token=wrong")) {
			app.streamBridge().send("orders", event("k").build());
			assertThat(awaitRequests(1).get(0).status()).isEqualTo(401);
			await().atMost(Duration.ofSeconds(60)).until(() -> app.published("http_error") == 1);
			assertThat(this.sidecar.delivered()).isEmpty();
		}
	}

	@Test
	void perBindingSettingsOverrideTheBinderAndDefaults() {
		this.sidecar.pubsubs("pubsub-kafka", "pubsub-audit");
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"spring.cloud.stream.dapr.default.producer.metadata.ttlInSeconds=3600",
				"spring.cloud.stream.dapr.bindings.audit.producer.pubsub-name=pubsub-audit",
				"spring.cloud.stream.dapr.bindings.audit.producer.partition-key-expression=headers['tenant']",
				"spring.cloud.stream.bindings.audit.destination=audit-log")) {
			app.streamBridge().send("audit", event("ignored").setHeader("tenant", "acme").build());
			app.streamBridge().send("orders", event("k-1").build());

			await().atMost(Duration.ofSeconds(60)).until(() -> this.sidecar.delivered().size() == 2);
			assertThat(this.sidecar.delivered("audit-log")).singleElement().satisfies((delivered) -> {
				assertThat(delivered.pubsub()).isEqualTo("pubsub-audit");
				assertThat(delivered.key()).isEqualTo("acme");
				assertThat(delivered.metadata()).containsEntry("ttlInSeconds", "3600");
				assertThat(delivered.event().get("expiration")).isNotNull();
			});
			assertThat(this.sidecar.delivered("orders")).singleElement().satisfies((delivered) -> {
				assertThat(delivered.pubsub()).isEqualTo("pubsub-kafka");
				assertThat(delivered.key()).isEqualTo("k-1");
			});
		}
	}

	@Test
	void thePartitionKeyExpressionReachesBeansThroughTheBindersEvaluationContext() {
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(), "test.default-tenant=globex",
				"spring.cloud.stream.dapr.bindings.audit.producer.partition-key-expression="
						+ "headers['tenant'] ?: @environment.getProperty('test.default-tenant')")) {
			app.streamBridge().send("audit", event("ignored").build());

			await().atMost(Duration.ofSeconds(60)).until(() -> this.sidecar.delivered().size() == 1);
			assertThat(this.sidecar.delivered().get(0).key()).isEqualTo("globex");
		}
	}

	/**
	 * Key expressions are compiled once warm (SpEL's mixed mode, after 100 messages):
	 * each message still gets its own key, the default expression's and one that reaches
	 * a bean (which stays interpreted) alike.
	 */
	@Test
	void partitionKeysStayRightOnceTheirExpressionsAreCompiled() {
		int messages = 300;
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(), "test.default-tenant=globex",
				"spring.cloud.stream.dapr.bindings.audit.producer.partition-key-expression="
						+ "headers['tenant'] ?: @environment.getProperty('test.default-tenant')")) {
			for (int i = 0; i < messages; i++) {
				app.streamBridge().send("orders", event("key-" + i).build());
				MessageBuilder<byte[]> audit = event("ignored");
				app.streamBridge().send("audit", ((i % 2 == 0) ? audit.setHeader("tenant", "t-" + i) : audit).build());
			}

			await().atMost(Duration.ofSeconds(120)).until(() -> this.sidecar.delivered().size() == 2 * messages);
			assertThat(this.sidecar.delivered("orders")).extracting(Delivered::key)
				.containsExactlyInAnyOrderElementsOf(IntStream.range(0, messages).mapToObj((i) -> "key-" + i).toList());
			assertThat(this.sidecar.delivered("audit")).extracting(Delivered::key)
				.containsExactlyInAnyOrderElementsOf(
						IntStream.range(0, messages).mapToObj((i) -> (i % 2 == 0) ? "t-" + i : "globex").toList());
		}
	}

	@Test
	void aMessageCanNameAnotherTopicThanItsBindings() {
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port())) {
			app.streamBridge()
				.send("orders", event("k").setHeader("scst_targetDestination", "orders-priority").build());
			await().atMost(Duration.ofSeconds(60)).until(() -> this.sidecar.delivered().size() == 1);
			assertThat(this.sidecar.delivered("orders-priority")).hasSize(1);
		}
	}

	@Test
	void consumersReceiveTheEventWithTheSidecarsFieldsAndOurTraceAndCorrelationIds() {
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port())) {
			app.streamBridge()
				.send("orders",
						event("k").setHeader("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
							.build());
			await().atMost(Duration.ofSeconds(60)).until(() -> this.sidecar.delivered().size() == 1);
			JsonNode event = this.sidecar.delivered().get(0).event();
			assertThat(event.get("topic").stringValue()).isEqualTo("orders");
			assertThat(event.get("pubsubname").stringValue()).isEqualTo("pubsub-kafka");
			assertThat(event.get("traceid").stringValue()).isEqualTo("corr-1");
			assertThat(event.get("id").stringValue()).isEqualTo("e-1");
			assertThat(event.get("type").stringValue()).isEqualTo("t.created");
			assertThat(event.get("data").get("n").intValue()).isEqualTo(1);
		}
	}

	private static Message<byte[]> withTraceContext(MessageBuilder<byte[]> event) {
		return event.setHeader("traceparent", TRACEPARENT).setHeader("tracestate", TRACESTATE).build();
	}

	private static MessageBuilder<byte[]> event(String key) {
		return MessageBuilder.withPayload(EVENT.getBytes(StandardCharsets.UTF_8))
			.setHeader("contentType", "application/cloudevents+json")
			.setHeader("partitionKey", key);
	}

	private List<Request> awaitRequests(int count) {
		await().atMost(Duration.ofSeconds(60)).until(() -> this.sidecar.requests().size() >= count);
		return this.sidecar.requests();
	}

}
