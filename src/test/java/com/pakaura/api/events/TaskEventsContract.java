package com.pakaura.api.events;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.cloudevents.CloudEvent;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.messaging.Message;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.api.support.PublishedEvents;
import com.pakaura.api.support.PublishedEvents.Published;
import com.pakaura.api.support.Tokens;
import com.pakaura.api.support.UserSession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The event contract, end to end: HTTP request, committed change, CloudEvents envelope,
 * StreamBridge, binder, and what arrives on the other side. Every published event is
 * compared with the sample of its type in data-model.md. Each subclass runs it on another
 * binder; the assertions are the same.
 */
abstract class TaskEventsContract {

	protected static final String CORRELATION_ID = "7f3c9b2e-5d41-4a8e-9c1f-2b6d8e4a1f30";

	protected static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

	/**
	 * A span of the caller's trace ({@link #TRACEPARENT}) other than the caller's own:
	 * the service's server span, or a span under it. Sampled, as the caller's is.
	 */
	protected static final String IN_CALLERS_TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-(?!00f067aa0ba902b7)[0-9a-f]{16}-01";

	/** A well-formed W3C traceparent. */
	protected static final String ANY_TRACEPARENT = "00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]";

	private static final Pattern UUID_V4 = Pattern
		.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

	/**
	 * Sample fields whose values differ from run to run; the test checks their format
	 * instead.
	 */
	private static final Set<String> VARYING = Set.of("id", "subject", "time", "partitionkey", "data.task_id",
			"data.user_id", "data.timestamp", "traceparent");

	@Autowired
	protected WebTestClient http;

	@Autowired
	protected PublishedEvents published;

	protected UserSession user;

	/**
	 * An event as a consumer of the destination receives it, with what the transport adds
	 * checked and taken off, so it can be compared with what the application handed over.
	 *
	 * @param key the broker key (or partition key) it travelled with
	 */
	protected record Arrived(JsonNode event, @Nullable String key) {

	}

	/** What has arrived at the destination so far, in arrival order. */
	protected abstract List<Arrived> arrivedAt(String destination);

	/** Forgets what has arrived so far. */
	protected abstract void clearArrivals();

	@BeforeEach
	void freshUserAndNoEventsYet() {
		this.user = new UserSession(this.http);
		this.published.clear();
		clearArrivals();
	}

	@Test
	void theDocumentedScenarioPublishesExactlyTheDocumentedEvents() {
		String id = create(
				Map.of("title", "Buy milk", "description", "2 litres", "due_date", "2026-12-01T10:00:00+01:00"));
		patch(id, "{\"title\":\"Buy oat milk\",\"due_date\":\"2026-12-02T09:00:00Z\"}");
		post(id, "complete");
		post(id, "uncomplete");
		patch(id, "{\"due_date\":null}");
		patch(id, "{\"due_date\":\"2026-12-03T09:00:00Z\"}");
		this.user.delete().uri("/api/tasks/{id}", id).headers(this::traced).exchange().expectStatus().isNoContent();

		List<Published> events = this.published.forTask(id);
		assertThat(events)
			.extracting((event) -> event.binding() + " " + event.type() + " "
					+ event.json().get("sequence").stringValue().replaceFirst("^0+", "") + " "
					+ event.json().get("data").get("action").stringValue())
			.containsExactly("task-events task.created 1 created", "task-updates sync.task 1 created",
					"reminders reminder.scheduled 1 scheduled", "task-events task.updated 2 updated",
					"task-updates sync.task 2 updated", "reminders reminder.rescheduled 2 rescheduled",
					"task-events task.completed 3 completed", "task-updates sync.task 3 completed",
					"task-events task.uncompleted 4 uncompleted", "task-updates sync.task 4 uncompleted",
					"task-events task.updated 5 updated", "task-updates sync.task 5 updated",
					"reminders reminder.cancelled 5 cancelled", "task-events task.updated 6 updated",
					"task-updates sync.task 6 updated", "reminders reminder.scheduled 6 scheduled",
					"task-events task.deleted 7 deleted", "task-updates sync.task 7 deleted",
					"reminders reminder.cancelled 7 cancelled");

		Map<String, JsonNode> samples = DataModelSamples.byType();
		assertThat(samples.keySet()).containsExactlyInAnyOrder("task.created", "task.updated", "task.completed",
				"task.uncompleted", "task.deleted", "sync.task", "reminder.scheduled", "reminder.rescheduled",
				"reminder.cancelled");
		Set<String> compared = new HashSet<>();
		for (Published event : events) {
			assertEnvelope(event, id);
			// every event, not one per type: the later variants of a type too
			assertThat(AsyncApiDocument.get().errors(event.json()))
				.as("%s %s against %s", event.type(), event.json(), AsyncApiDocument.CONTRACT)
				.isEmpty();
			if (compared.add(event.type())) {
				assertThat(normalized(event.json(), samples.get(event.type())))
					.as("%s as in %s", event.type(), DataModelSamples.DOCUMENT)
					.isEqualTo(samples.get(event.type()));
			}
		}
		assertThat(compared).isEqualTo(samples.keySet());
		assertThat(events).extracting((event) -> event.json().get("id").stringValue()).doesNotHaveDuplicates();
		assertEverythingArrivedInOrder(events, id);
	}

	@Test
	void eachEventIsSentOnlyOnceItsChangeIsCommitted() {
		// Each request's events are let out before the next request, so what another
		// connection
		// sees at hand-over is exactly what that request committed.
		this.published.probeCommittedVersions();
		String id = create(Map.of("title", "Commit first", "due_date", "2026-12-01T08:00:00Z"));
		this.published.all();
		patch(id, "{\"title\":\"Still committed first\"}");
		this.published.all();
		this.user.delete().uri("/api/tasks/{id}", id).exchange().expectStatus().isNoContent();

		List<Published> events = this.published.forTask(id);
		String deletion = events.stream()
			.filter((event) -> event.type().equals("task.deleted"))
			.findFirst()
			.orElseThrow()
			.json()
			.get("sequence")
			.stringValue();
		assertThat(events).hasSize(8).allSatisfy((event) -> {
			String sequence = event.json().get("sequence").stringValue();
			if (sequence.equals(deletion)) {
				assertThat(event.committedVersion()).as("row seen at %s of the deletion", event.type()).isNull();
			}
			else {
				assertThat(event.committedVersion()).as("version seen at %s", event.type())
					.isEqualTo(Long.parseLong(sequence));
			}
		});
	}

	@Test
	void aTaskWithoutDueDateHasNoReminderEvents() {
		String id = create(Map.of("title", "No date"));
		patch(id, "{\"description\":\"details\"}");
		this.user.delete().uri("/api/tasks/{id}", id).exchange().expectStatus().isNoContent();

		assertThat(types(id)).containsExactly("task.created", "sync.task", "task.updated", "sync.task", "task.deleted",
				"sync.task");
		JsonNode changes = this.published.forTask(id).get(2).json().get("data").get("changes");
		assertThat(changes.propertyNames()).containsExactly("description");
		assertThat(changes.get("description").get("old").isNull()).isTrue();
		assertThat(changes.get("description").get("new").stringValue()).isEqualTo("details");
	}

	@Test
	void aDueDateThatAppearsIsScheduled() {
		String id = create(Map.of("title", "Later"));
		patch(id, "{\"due_date\":\"2027-01-15T12:30:00+00:00\"}");
		List<Published> events = this.published.forTask(id);
		assertThat(types(id)).containsExactly("task.created", "sync.task", "task.updated", "sync.task",
				"reminder.scheduled");
		assertThat(events.get(4).json().get("data").get("due_date").stringValue()).isEqualTo("2027-01-15T12:30:00Z");
		assertThat(events.get(2).json().get("data").get("changes").get("due_date").get("old").isNull()).isTrue();
	}

	@Test
	void requestsThatChangeNothingPublishNothing() {
		String id = create(Map.of("title", "Steady", "due_date", "2026-12-01T08:00:00Z"));
		this.published.clear();

		patch(id, "{}");
		patch(id, "{\"title\":\" Steady \",\"due_date\":\"2026-12-01T09:00:00+01:00\"}");
		post(id, "uncomplete");
		post(id, "complete");
		post(id, "complete");

		assertThat(types(id)).containsExactly("task.completed", "sync.task");
	}

	@Test
	void failedRequestsPublishNothing() {
		String id = create(Map.of("title", "Mine"));
		UserSession other = new UserSession(this.http);
		this.published.clear();

		this.user.post()
			.uri("/api/tasks")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"title\":\"\"}")
			.exchange()
			.expectStatus()
			.isBadRequest();
		this.user.patch()
			.uri("/api/tasks/{id}", id)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"due_date\":\"soon\"}")
			.exchange()
			.expectStatus()
			.isBadRequest();
		this.user.post()
			.uri("/api/tasks/{id}/complete", "5f0c6a63-0000-4000-8000-000000000000")
			.exchange()
			.expectStatus()
			.isNotFound();
		other.patch()
			.uri("/api/tasks/{id}", id)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"title\":\"stolen\"}")
			.exchange()
			.expectStatus()
			.isNotFound();
		other.post().uri("/api/tasks/{id}/complete", id).exchange().expectStatus().isNotFound();
		other.delete().uri("/api/tasks/{id}", id).exchange().expectStatus().isNotFound();
		this.http.post()
			.uri("/api/tasks")
			.headers((h) -> h.setBearerAuth(Tokens.expired(this.user.userId())))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"title\":\"late\"}")
			.exchange()
			.expectStatus()
			.isUnauthorized();

		assertThat(this.published.all()).isEmpty();
	}

	@Test
	void withoutCallerIdsTheGeneratedCorrelationIdIsTheTraceIdAndTheEventsStartATraceOfTheirOwn() {
		String correlationId = this.user.post()
			.uri("/api/tasks")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("title", "Untraced"))
			.header("traceparent", "not-a-traceparent")
			.exchange()
			.expectStatus()
			.isCreated()
			.returnResult(Void.class)
			.getResponseHeaders()
			.getFirst("X-Correlation-ID");

		assertThat(this.published.all()).hasSize(2).allSatisfy((event) -> {
			CloudEvent envelope = event.cloudEvent();
			assertThat(envelope.getExtension("traceid")).isEqualTo(correlationId);
			assertThat(envelope.getExtension("correlationid")).isEqualTo(correlationId);
			// a malformed traceparent is ignored (W3C): the request starts a new trace
			assertThat((String) envelope.getExtension("traceparent")).matches(ANY_TRACEPARENT)
				.doesNotContain("not-a-traceparent");
			assertThat(event.message().getHeaders()).containsEntry("traceparent", envelope.getExtension("traceparent"));
		});
	}

	@Test
	void theEventsContinueTheCallersTraceInTheEnvelopeAndTheHeaders() {
		this.user.post()
			.uri("/api/tasks")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("title", "Traced"))
			.header("traceparent", TRACEPARENT)
			.header("tracestate", "congo=t61rcWkgMzE")
			.exchange()
			.expectStatus()
			.isCreated();

		assertThat(this.published.all()).hasSize(2).allSatisfy((event) -> {
			String traceparent = (String) event.cloudEvent().getExtension("traceparent");
			assertThat(traceparent).matches(IN_CALLERS_TRACE);
			assertThat(event.cloudEvent().getExtension("tracestate")).isEqualTo("congo=t61rcWkgMzE");
			assertThat(event.message().getHeaders()).containsEntry("traceparent", traceparent)
				.containsEntry("tracestate", "congo=t61rcWkgMzE");
		});
	}

	/** What every event carries, whatever its type. */
	private void assertEnvelope(Published event, String taskId) {
		CloudEvent envelope = event.cloudEvent();
		assertThat(envelope.getSpecVersion().toString()).isEqualTo("1.0");
		assertThat(envelope.getId()).matches(UUID_V4);
		assertThat(envelope.getSource()).hasToString("pakaura/api");
		assertThat(envelope.getSubject()).isEqualTo(taskId);
		assertThat(envelope.getDataContentType()).isEqualTo("application/json");
		assertThat(envelope.getTime().getOffset().getTotalSeconds()).isZero();
		assertThat(envelope.getExtension("partitionkey")).isEqualTo(taskId);
		assertThat((String) envelope.getExtension("sequence")).matches("\\d{20}");
		assertThat(envelope.getExtension("traceid")).isEqualTo(CORRELATION_ID);
		assertThat(envelope.getExtension("correlationid")).isEqualTo(CORRELATION_ID);
		assertThat((String) envelope.getExtension("traceparent")).matches(IN_CALLERS_TRACE);

		JsonNode json = event.json();
		JsonNode data = json.get("data");
		assertThat(data.isObject()).as("data is inline JSON, not base64").isTrue();
		assertThat(data.get("task_id").stringValue()).isEqualTo(taskId);
		assertThat(data.get("user_id").stringValue()).isEqualTo(this.user.userId());
		assertThat(Instant.parse(data.get("timestamp").stringValue())).isEqualTo(envelope.getTime().toInstant());
		assertThat(data.get("timestamp").stringValue()).endsWith("Z");

		Message<byte[]> message = event.message();
		assertThat(message.getHeaders().get("contentType")).hasToString("application/cloudevents+json");
		assertThat(message.getHeaders()).containsEntry("partitionKey", taskId)
			.containsEntry("correlationId", CORRELATION_ID)
			.containsEntry("traceparent", envelope.getExtension("traceparent"));
	}

	/**
	 * The sample with the varying values replaced by the event's, after checking that the
	 * event's values have the sample's format.
	 */
	private static JsonNode normalized(JsonNode actual, JsonNode sample) {
		ObjectNode copy = (ObjectNode) actual.deepCopy();
		for (String path : VARYING) {
			String[] parts = path.split("\\.");
			ObjectNode parent = (parts.length == 1) ? copy : (ObjectNode) copy.get(parts[0]);
			JsonNode sampleParent = (parts.length == 1) ? sample : sample.get(parts[0]);
			String field = parts[parts.length - 1];
			String value = parent.get(field).stringValue();
			String expected = sampleParent.get(field).stringValue();
			if (UUID_V4.matcher(expected).matches()) {
				assertThat(value).as(path).matches(UUID_V4);
			}
			else if (expected.endsWith("Z")) {
				assertThat(Instant.parse(value)).as(path).isNotNull();
			}
			else if (field.equals("traceparent")) {
				// a span id of the sample's trace: the request's server span
				assertThat(value).as(path).matches(IN_CALLERS_TRACE);
				assertThat(expected).as("the sample's " + path).matches(IN_CALLERS_TRACE);
			}
			parent.put(field, expected);
		}
		return copy;
	}

	/**
	 * Each destination received the same events, in the order they were handed over,
	 * keyed by their task.
	 */
	private void assertEverythingArrivedInOrder(List<Published> events, String taskId) {
		for (String destination : List.of("task-events", "task-updates", "reminders")) {
			List<JsonNode> handed = events.stream()
				.filter((event) -> event.binding().equals(destination))
				.map(Published::json)
				.toList();
			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(arrivedFor(destination, taskId)).hasSameSizeAs(handed));
			List<Arrived> arrived = arrivedFor(destination, taskId);
			assertThat(arrived).extracting(Arrived::event).as(destination).containsExactlyElementsOf(handed);
			assertThat(arrived).extracting(Arrived::key).as(destination).containsOnly(taskId);
		}
	}

	private List<Arrived> arrivedFor(String destination, String taskId) {
		return arrivedAt(destination).stream()
			.filter((arrived) -> arrived.event().get("subject").stringValue().equals(taskId))
			.toList();
	}

	private List<String> types(String taskId) {
		return this.published.forTask(taskId).stream().map(Published::type).toList();
	}

	private void traced(org.springframework.http.HttpHeaders headers) {
		headers.set("X-Correlation-ID", CORRELATION_ID);
		headers.set("traceparent", TRACEPARENT);
	}

	protected String create(Map<String, String> body) {
		return this.user.createTask(body, this::traced);
	}

	private void patch(String id, String body) {
		this.user.patch()
			.uri("/api/tasks/{id}", id)
			.headers(this::traced)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isOk();
	}

	private void post(String id, String action) {
		this.user.post().uri("/api/tasks/{id}/" + action, id).headers(this::traced).exchange().expectStatus().isOk();
	}

}
