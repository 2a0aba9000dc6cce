package com.pakaura.binder.dapr;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.integration.channel.PublishSubscribeChannel;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.ErrorMessage;
import org.springframework.messaging.support.MessageBuilder;

import com.pakaura.binder.dapr.FakeDaprSidecar.Request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Every way a publish can end, as the sidecar answers it: counted by outcome, logged at
 * the level its outcome deserves, retried only when a retry can help, and never thrown at
 * the sender.
 */
@ExtendWith(OutputCaptureExtension.class)
class DaprPublishOutcomesTest extends WithFreshSidecarEachTest {

	private static final byte[] EVENT = SampleEvents.minimal("e-1");

	/** Guards against hangs only. */
	private static final Duration PATIENCE = Duration.ofSeconds(60);

	/** Key-values in plain-text logs; the assertions below hold for JSON logs as well. */
	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** A field of the key-value pattern: {@code name="value"}, or {@code name=value}. */
	private static final Pattern KEY_VALUE = Pattern.compile("(\\w+)=(?:\"((?:[^\"\\\\]|\\\\.)*)\"|(\\S*))");

	private static final String KV_PATTERN = "logging.pattern.console=%5level %logger{20} : %msg %kvp%n";

	@Test
	void everyOutcomeIsCountedFromZeroAsSoonAsTheBindingExists() {
		try (DaprBinderApplication app = start("spring.cloud.stream.output-bindings=orders")) {
			assertThat(app.meters().find("dapr.publish").tag("binding", "orders").tag("topic", "orders").counters())
				.extracting((counter) -> counter.getId().getTag("outcome"), (counter) -> counter.count())
				.containsExactlyInAnyOrder(tuple("success", 0.0), tuple("http_error", 0.0), tuple("unavailable", 0.0),
						tuple("unknown", 0.0), tuple("dropped", 0.0), tuple("too_large", 0.0));
		}
	}

	@Test
	void a204IsASuccessLoggedAtDebug(CapturedOutput output) {
		try (DaprBinderApplication app = start("logging.level.com.pakaura.binder.dapr=DEBUG")) {
			send(app, "orders");
			await().atMost(PATIENCE).until(() -> app.published("success") == 1);
			assertThat(app.meters().find("dapr.publish.latency").tag("outcome", "success").timer().count())
				.isEqualTo(1);
			await().untilAsserted(() -> assertLogged(output, "DEBUG", "Published to Dapr"));
		}
	}

	/**
	 * The contract: every outcome line names the event's binding, destination and key.
	 */
	@Test
	void everyOutcomeLineCarriesItsFieldsAndTheSendersCorrelationId(CapturedOutput output) {
		this.sidecar.forbidTopics("forbidden");
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"logging.level.com.pakaura.binder.dapr=DEBUG",
				"logging.pattern.console=%5level %logger{20} : %msg %kvp correlation_id=%X{correlation_id}%n")) {
			for (String binding : List.of("orders", "forbidden")) {
				assertThat(app.streamBridge()
					.send(binding,
							MessageBuilder.withPayload(EVENT)
								.setHeader("partitionKey", "k")
								.setHeader("correlationId", "corr-" + binding)
								.build()))
					.isTrue();
			}
			await().atMost(PATIENCE).until(() -> app.published("success") + app.published("http_error") == 2);
			await().untilAsserted(() -> {
				assertLogged(output, "DEBUG", "Published to Dapr", "binding=orders", "pubsub=pubsub-kafka",
						"topic=orders", "partition_key=k", "outcome=success", "latency_ms~",
						"correlation_id=corr-orders");
				assertLogged(output, "ERROR", "Dapr refused the event", "binding=forbidden", "pubsub=pubsub-kafka",
						"topic=forbidden", "partition_key=k", "outcome=http_error", "latency_ms~",
						"correlation_id=corr-forbidden");
			});
		}
	}

	@Test
	void anUnknownPubsubIsAPermanentErrorLoggedWithTheSidecarsCodeAndNotRetried(CapturedOutput output) {
		this.sidecar.pubsubs("some-other-pubsub");
		try (DaprBinderApplication app = start()) {
			send(app, "orders");
			await().atMost(PATIENCE).until(() -> app.published("http_error") == 1);
			assertThat(this.sidecar.requests()).hasSize(1);
			await().untilAsserted(() -> assertLogged(output, "ERROR", "Dapr refused the event", "dapr_status=404",
					"dapr_error_code=ERR_PUBSUB_NOT_FOUND", "dapr_message=pubsub pubsub-kafka is not found"));
		}
	}

	@Test
	void aForbiddenTopicAndBadMetadataAreNotRetriedEither() {
		this.sidecar.forbidTopics("secret-topic");
		try (DaprBinderApplication app = start(
				"spring.cloud.stream.dapr.bindings.raw.producer.metadata.rawPayload=maybe")) {
			send(app, "secret-topic");
			send(app, "raw");
			await().atMost(PATIENCE).until(() -> app.published("http_error") == 2);
			assertThat(this.sidecar.requests()).extracting(FakeDaprSidecar.Request::status)
				.containsExactlyInAnyOrder(403, 400);
		}
	}

	@Test
	void aBrokerFailureIsRetriedWithinTheTimeoutAndThenSucceeds() {
		this.sidecar.failNextPublishes(2);
		try (DaprBinderApplication app = start()) {
			send(app, "orders");
			await().atMost(PATIENCE).until(() -> app.published("success") == 1);
			assertThat(this.sidecar.requests()).extracting(FakeDaprSidecar.Request::status)
				.containsExactly(500, 500, 204);
			assertThat(this.sidecar.delivered()).hasSize(1);
		}
	}

	/**
	 * A 500 does not mean "not written": behind a Resiliency timeout daprd answers 500
	 * and Kafka writes anyway. The binder retries it, as it must for a broker failure, so
	 * the event arrives twice, both times with its one CloudEvent id, by which a consumer
	 * drops the second. Counted once, as the success it finally was.
	 */
	@Test
	void aFiveHundredAfterTheWriteIsRetriedSoTheEventArrivesTwiceWithItsOneId() {
		this.sidecar.timeOutAfterWriting(1);
		try (DaprBinderApplication app = start()) {
			send(app, "orders", "written-twice");
			await().atMost(PATIENCE).until(() -> app.published("success") == 1);
			assertThat(this.sidecar.bulkRequests()).extracting(FakeDaprSidecar.BulkRequest::status)
				.containsExactly(500, 204);
			assertThat(this.sidecar.delivered()).hasSize(2)
				.allSatisfy((delivered) -> assertThat(delivered.event().get("id").stringValue())
					.isEqualTo("written-twice"));
			assertThat(app.published("http_error") + app.published("unknown")).isZero();
		}
	}

	@Test
	void aBrokerFailureThatOutlastsTheTimeoutIsAnErrorWithTheSidecarsMessage(CapturedOutput output) {
		this.sidecar.failNextPublishes(Integer.MAX_VALUE);
		try (DaprBinderApplication app = start("spring.cloud.stream.dapr.binder.timeout=500ms")) {
			send(app, "orders");
			await().atMost(PATIENCE).until(() -> app.published("http_error") == 1);
			assertThat(this.sidecar.requests()).hasSizeGreaterThan(1)
				.allSatisfy((request) -> assertThat(request.status()).isEqualTo(500));
			await().untilAsserted(() -> assertLogged(output, "ERROR", "Dapr refused the event",
					"dapr_error_code=ERR_PUBSUB_PUBLISH_MESSAGE",
					"dapr_message~client has run out of available brokers"));
		}
	}

	@Test
	void aSidecarThatStallsPastTheTimeoutLeavesTheOutcomeUnknownAndIsNotAskedAgain(CapturedOutput output) {
		this.sidecar.stall(true);
		try (DaprBinderApplication app = start("spring.cloud.stream.dapr.binder.response-timeout=300ms")) {
			send(app, "orders");
			await().atMost(PATIENCE).until(() -> app.published("unknown") == 1);
			await().atMost(PATIENCE)
				.untilAsserted(() -> assertLogged(output, "WARN", "Dapr publish outcome unknown",
						"dapr_message~no answer within"));
			// one request arrived, and none after it: an unknown outcome is never retried
			await().during(Duration.ofSeconds(1)).atMost(PATIENCE).until(() -> this.sidecar.arrivals().size() == 1);
			assertThat(this.sidecar.requests()).as("answered").isEmpty();
			assertThat(app.published("success") + app.published("unavailable")).isZero();
		}
	}

	@Test
	void aSlowBrokerIsWaitedForSoTheKeysNextEventCannotOvertakeIt() {
		this.sidecar.brokerDelay(Duration.ofMillis(1500));
		try (DaprBinderApplication app = start("spring.cloud.stream.dapr.binder.timeout=300ms")) {
			send(app, "orders", "first");
			send(app, "orders", "second");
			await().atMost(PATIENCE).until(() -> app.published("success") == 2);
			assertThat(app.published("unknown")).isZero();
			assertThat(this.sidecar.delivered()).extracting((event) -> event.event().get("id").stringValue())
				.containsExactly("first", "second");
		}
	}

	@Test
	void pastTheResponseTimeoutTheOutcomeIsUnknownAndTheLateEventMayArriveAfterItsSuccessor() {
		this.sidecar.brokerDelay(Duration.ofMillis(1500));
		try (DaprBinderApplication app = start("spring.cloud.stream.dapr.binder.response-timeout=300ms")) {
			send(app, "orders", "first");
			await().atMost(PATIENCE).until(() -> app.published("unknown") == 1);
			this.sidecar.brokerDelay(Duration.ZERO);
			send(app, "orders", "second");
			await().atMost(PATIENCE).until(() -> this.sidecar.delivered().size() == 2);
			// daprd published the abandoned request after all, behind its successor: this
			// is why
			// consumers order by sequence and why the outcome is "unknown", not a loss
			assertThat(this.sidecar.delivered()).extracting((event) -> event.event().get("id").stringValue())
				.containsExactly("second", "first");
			assertThat(this.sidecar.requests()).hasSize(2);
		}
	}

	@Test
	void aConnectionResetAfterTheSidecarPublishedIsUnknownAndNeverSentTwice(CapturedOutput output) {
		this.sidecar.resetAfterPublishing(true);
		try (DaprBinderApplication app = start()) {
			send(app, "orders");
			await().atMost(PATIENCE).until(() -> app.published("unknown") == 1);
			assertThat(this.sidecar.requests()).hasSize(1);
			assertThat(this.sidecar.delivered()).hasSize(1);
			await().atMost(PATIENCE)
				.untilAsserted(() -> assertThat(output.getOut()).contains("the connection ended before the answer"));
		}
	}

	@Test
	void aSidecarThatAnswersBeforeReadingTheBodyIsCountedAsItAnswered(CapturedOutput output) {
		this.sidecar.answerBeforeReading(503);
		try (DaprBinderApplication app = start("spring.cloud.stream.dapr.binder.timeout=500ms")) {
			for (int i = 0; i < 5; i++) {
				send(app, "orders");
			}
			await().atMost(PATIENCE)
				.until(() -> app.published("http_error") + app.published("unknown")
						+ app.published("unavailable") == 5);
			assertThat(this.sidecar.delivered()).isEmpty();
		}
		assertThat(output.getOut()).doesNotContain("onErrorDropped").doesNotContain("\tat ").doesNotContain("\n\tat");
	}

	@Test
	void aSidecarThatIsNotListeningIsUnavailableInOneWarnLineWithoutStackTraces(CapturedOutput output) {
		int closedPort = freePort();
		try (DaprBinderApplication app = DaprBinderApplication.start(closedPort,
				"spring.cloud.stream.dapr.binder.timeout=300ms", "spring.cloud.stream.dapr.binder.startup-wait=1s",
				KV_PATTERN)) {
			for (int i = 0; i < 20; i++) {
				assertThatNoException().isThrownBy(() -> send(app, "orders"));
			}
			await().atMost(PATIENCE).until(() -> app.published("unavailable") == 20);
			await().atMost(PATIENCE).untilAsserted(() -> assertLogged(output, "WARN", "Dapr sidecar unavailable"));
		}
		assertThat(output.getOut()).doesNotContain("onErrorDropped")
			.doesNotContain("ERROR")
			.doesNotContain("\tat ")
			.doesNotContain("\n\tat")
			.doesNotContainPattern("\n\s+at [a-z]");
	}

	@Test
	void aBodyOverTheSidecarsLimitIsNeverSent(CapturedOutput output) {
		try (DaprBinderApplication app = start("spring.cloud.stream.dapr.binder.max-body-size=1KB")) {
			byte[] large = ("{\"data\":\"" + "x".repeat(2000) + "\"}").getBytes(StandardCharsets.UTF_8);
			app.streamBridge().send("orders", MessageBuilder.withPayload(large).build());
			await().atMost(PATIENCE).until(() -> app.published("too_large") == 1);
			assertThat(this.sidecar.requests()).isEmpty();
			await().untilAsserted(() -> assertLogged(output, "ERROR", "Event too large for Dapr"));
		}
	}

	@Test
	void aBodyOverTheSidecarsOrTheBrokersLimitIsTooLargeAndNotRetried() {
		byte[] large = ("{\"specversion\":\"1.0\",\"id\":\"big\",\"source\":\"s\",\"type\":\"t\",\"traceid\":\"c\","
				+ "\"data\":\"" + "x".repeat(2000) + "\"}")
			.getBytes(StandardCharsets.UTF_8);
		this.sidecar.maxBodySize(1024);
		try (DaprBinderApplication app = start()) {
			app.streamBridge().send("orders", MessageBuilder.withPayload(large).build());
			await().atMost(PATIENCE).until(() -> app.published("too_large") == 1);
			this.sidecar.maxBodySize(4L * 1024 * 1024).brokerMaxMessageBytes(1000);
			app.streamBridge().send("orders", MessageBuilder.withPayload(large).build());
			await().atMost(PATIENCE).until(() -> app.published("too_large") == 2);
		}
		// Over daprd's body limit, the bulk request is refused whole (400, its decoder
		// fails) and the event goes again alone, where daprd answers a 500 broker
		// failure;
		// over the broker's, its entry fails in failedEntries. No retry could ever
		// succeed.
		assertThat(this.sidecar.requests()).extracting(Request::path, Request::status, Request::errorCode)
			.containsExactly(tuple("/v1.0/publish/bulk/pubsub-kafka/orders", 400, "ERR_PUBSUB_EVENTS_SER"),
					tuple("/v1.0/publish/pubsub-kafka/orders", 500, "ERR_PUBSUB_PUBLISH_MESSAGE"),
					tuple("/v1.0/publish/bulk/pubsub-kafka/orders", 500, "ERR_PUBSUB_PUBLISH_MESSAGE"));
		assertThat(this.sidecar.delivered()).isEmpty();
	}

	@Test
	void withTheErrorChannelEnabledFailuresAreSentThere() {
		this.sidecar.pubsubs("another");
		try (DaprBinderApplication app = start(
				"spring.cloud.stream.bindings.orders.producer.error-channel-enabled=true")) {
			List<Message<?>> errors = new CopyOnWriteArrayList<>();
			app.context().getBean("errorChannel", PublishSubscribeChannel.class).subscribe(errors::add);
			send(app, "orders");
			await().atMost(PATIENCE).until(() -> !errors.isEmpty());
			assertThat(errors.get(0)).isInstanceOf(ErrorMessage.class);
			assertThat(((ErrorMessage) errors.get(0)).getPayload().getMessage()).contains("404")
				.contains("ERR_PUBSUB_NOT_FOUND");
		}
	}

	/**
	 * The confirmation header is completed only on a binding that opts in
	 * ({@code use-confirm-header}); elsewhere it is ignored, as Rabbit ignores a
	 * correlation header without {@code useConfirmHeader}.
	 */
	@Test
	void aSendersConfirmationIsCompletedOnlyWhereTheBindingUsesTheConfirmHeader() {
		try (DaprBinderApplication app = start(
				"spring.cloud.stream.dapr.bindings.confirmed.producer.use-confirm-header=true")) {
			CompletableFuture<DaprPublishResult> confirmed = new CompletableFuture<>();
			CompletableFuture<DaprPublishResult> ignored = new CompletableFuture<>();
			for (var send : List.of(Map.entry("confirmed", confirmed), Map.entry("plain", ignored))) {
				assertThat(app.streamBridge()
					.send(send.getKey(),
							MessageBuilder.withPayload(EVENT)
								.setHeader("partitionKey", "k")
								.setHeader(DaprPublishResult.CONFIRMATION_HEADER, send.getValue())
								.build()))
					.isTrue();
			}
			await().atMost(PATIENCE).until(() -> app.published("success") == 2);
			assertThat(confirmed).isCompletedWithValueMatching(DaprPublishResult::published, "published");
			assertThat(ignored).as("a binding without use-confirm-header").isNotDone();
		}
	}

	private DaprBinderApplication start(String... properties) {
		String[] all = Stream.concat(Stream.of(KV_PATTERN), Stream.of(properties)).toArray(String[]::new);
		return DaprBinderApplication.start(this.sidecar.port(), all);
	}

	/**
	 * A line of the output holds the message at this level, with these fields: the level
	 * and the fields of one line, not anywhere in the output. Each field is
	 * {@code name=value}, or {@code name~text} for a value that holds the text. The line
	 * is read as the binder writes it: JSON under Boot's structured logging (which an
	 * earlier context in the same JVM may have left on), else the test's key-value
	 * pattern.
	 */
	private static void assertLogged(CapturedOutput output, String level, String message, String... fields) {
		assertThat(output.getOut().lines().filter((line) -> line.contains(message))).as("lines with '%s'", message)
			.anySatisfy((line) -> {
				Map<String, String> read = fieldsOf(line);
				assertThat(read).containsEntry("level", level);
				for (String field : fields) {
					String[] exact = field.split("=", 2);
					if (exact.length == 2) {
						assertThat(read).containsEntry(exact[0], exact[1]);
					}
					else {
						String[] holds = field.split("~", 2);
						assertThat(read).containsKey(holds[0]);
						assertThat(read.get(holds[0])).contains(holds[1]);
					}
				}
			});
	}

	private static Map<String, String> fieldsOf(String line) {
		Map<String, String> fields = new HashMap<>();
		String text = line.strip();
		if (text.startsWith("{")) {
			JsonNode json = JSON.readTree(text);
			json.properties()
				.forEach((field) -> fields.put(field.getKey(),
						field.getValue().isValueNode() ? field.getValue().asString() : field.getValue().toString()));
			fields.put("level", json.path("log").path("level").asString());
			return fields;
		}
		fields.put("level", text.split("\\s+", 2)[0]);
		Matcher pair = KEY_VALUE.matcher(text);
		while (pair.find()) {
			fields.put(pair.group(1), (pair.group(2) != null) ? pair.group(2) : pair.group(3));
		}
		return fields;
	}

	private static void send(DaprBinderApplication app, String binding, String id) {
		assertThat(app.streamBridge()
			.send(binding, MessageBuilder.withPayload(SampleEvents.minimal(id)).setHeader("partitionKey", "k").build()))
			.isTrue();
	}

	private static void send(DaprBinderApplication app, String binding) {
		assertThat(app.streamBridge()
			.send(binding, MessageBuilder.withPayload(EVENT).setHeader("partitionKey", "k").build())).isTrue();
	}

}
