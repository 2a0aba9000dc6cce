package com.pakaura.api.events;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeoutException;
import java.util.stream.LongStream;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import com.pakaura.api.support.OneRequestPerConnection;
import com.pakaura.api.support.ServiceTest;
import com.pakaura.api.support.TaskRows;
import com.pakaura.api.support.Tokens;
import com.pakaura.binder.dapr.FakeDaprSidecar;
import com.pakaura.binder.dapr.FakeDaprSidecar.Delivered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A task's events reach the sidecar in commit order, and every committed change reaches
 * it, however many requests race on the task and however many callers hang up
 * mid-request. The production binder against the fake sidecar; the sidecar's record is
 * the consumer's view.
 */
@ServiceTest
class TaskEventOrderTest {

	@RegisterExtension
	static final FakeDaprSidecar SIDECAR = FakeDaprSidecar.start();

	private static final Duration PATIENCE = Duration.ofSeconds(90);

	@DynamicPropertySource
	static void sidecar(DynamicPropertyRegistry properties) {
		properties.add("DAPR_ENABLED", () -> "true");
		properties.add("DAPR_HTTP_PORT", SIDECAR::port);
	}

	@LocalServerPort
	private int port;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private MeterRegistry meters;

	private String user;

	private WebClient http;

	@BeforeEach
	void freshUser() {
		SIDECAR.reset();
		this.user = "racer-" + java.util.UUID.randomUUID();
		this.http = WebClient.builder()
			.baseUrl("http://localhost:" + this.port)
			.clientConnector(OneRequestPerConnection.connector())
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + Tokens.forUser(this.user))
			.build();
	}

	@RepeatedTest(3)
	void fiftyParallelMutationsOfOneTaskArriveInSequenceOrderOnEveryTopic() {
		String task = create("Raced");

		Flux.range(0, 50).flatMap((i) -> mutation(task, i).onErrorResume((ex) -> Mono.empty()), 50).blockLast(PATIENCE);

		assertThat(versionOf(task)).as("enough of the 50 requests changed the task").isGreaterThan(10);
		await().atMost(PATIENCE).untilAsserted(() -> assertArrivedInOrderAndReplayToTheRow(task));
	}

	@Test
	void callersThatHangUpAtRandomMomentsNeverPartACommittedChangeFromItsEvents() {
		List<String> tasks = Flux.range(0, 8)
			.flatMap((i) -> Mono.fromCallable(() -> create("Abandoned " + i)))
			.collectList()
			.block(PATIENCE);
		await().atMost(PATIENCE).until(() -> tasks.stream().allMatch((task) -> arrived(task).size() == 2));
		double handedOffBefore = count("pakaura.events.publish", "handed_off");
		double deliveredBefore = count("dapr.publish", "success");

		AtomicInteger hungUp = new AtomicInteger();
		Flux.range(0, 240)
			.flatMap((i) -> mutation(tasks.get(i % tasks.size()), i)
				.timeout(Duration.ofMillis(ThreadLocalRandom.current().nextLong(1, 60)))
				.doOnError(TimeoutException.class, (ex) -> hungUp.incrementAndGet())
				.onErrorResume((ex) -> Mono.empty()), 32)
			.blockLast(PATIENCE);
		assertThat(hungUp).as("callers that hung up before their answer").hasPositiveValue();

		// A mutation whose caller hung up still runs to its end: wait until the rows and
		// the
		// events agree, each check reading the rows afresh.
		await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			int arrived = 0;
			for (String task : tasks) {
				assertArrivedInOrderAndReplayToTheRow(task);
				arrived += arrived(task).size();
			}
			int events = arrived - 2 * tasks.size();
			assertThat(events).as("events of the changes committed").isPositive();
			assertThat(count("pakaura.events.publish", "handed_off") - handedOffBefore).isEqualTo(events);
			assertThat(count("dapr.publish", "success") - deliveredBefore).isEqualTo(events);
		});
	}

	private String create(String title) {
		Map<?, ?> created = this.http.post()
			.uri("/api/tasks")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("title", title))
			.retrieve()
			.bodyToMono(Map.class)
			.block(PATIENCE);
		return (String) Objects.requireNonNull(created).get("id");
	}

	/**
	 * One of four mutations, picked by {@code i}: title, due date, complete, uncomplete.
	 */
	private Mono<Void> mutation(String task, int i) {
		return switch (i % 4) {
			case 0 -> patch(task, Map.of("title", "Title " + i));
			case 1 -> patch(task, (i % 8 == 1) ? Map.of("due_date", "2027-01-0" + (1 + i % 9) + "T09:00:00Z")
					: java.util.Collections.singletonMap("due_date", null));
			case 2 -> this.http.post().uri("/api/tasks/{id}/complete", task).retrieve().toBodilessEntity().then();
			default -> this.http.post().uri("/api/tasks/{id}/uncomplete", task).retrieve().toBodilessEntity().then();
		};
	}

	private Mono<Void> patch(String task, Map<String, ?> body) {
		return this.http.patch()
			.uri("/api/tasks/{id}", task)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.retrieve()
			.toBodilessEntity()
			.then();
	}

	private long versionOf(String task) {
		return (Long) new TaskRows(this.db).of(this.user)
			.stream()
			.filter((row) -> row.get("id").toString().equals(task))
			.findFirst()
			.orElseThrow()
			.get("version");
	}

	/**
	 * Per topic, sequences strictly increase; every committed version arrived exactly
	 * once on task-events and task-updates; replaying task-events and reminders gives the
	 * row.
	 */
	private void assertArrivedInOrderAndReplayToTheRow(String task) {
		Map<String, Object> row = new TaskRows(this.db).of(this.user)
			.stream()
			.filter((found) -> found.get("id").toString().equals(task))
			.findFirst()
			.orElseThrow();
		long version = (Long) row.get("version");
		List<Long> everyVersion = LongStream.rangeClosed(1, version).boxed().toList();
		assertThat(sequences(task, "task-events")).as("task-events of %s", task).isEqualTo(everyVersion);
		assertThat(sequences(task, "task-updates")).as("task-updates of %s", task).isEqualTo(everyVersion);
		assertThat(sequences(task, "reminders")).as("reminders of %s", task).isSorted().doesNotHaveDuplicates();

		String title = null;
		Boolean completed = null;
		for (Delivered event : arrived(task, "task-events")) {
			title = event.event().get("data").get("title").stringValue();
			completed = event.event().get("data").get("completed").booleanValue();
		}
		Instant due = null;
		for (Delivered event : arrived(task, "reminders")) {
			JsonNode data = event.event().get("data");
			due = data.get("action").stringValue().equals("cancelled") ? null
					: Instant.parse(data.get("due_date").stringValue());
		}
		assertThat(title).isEqualTo(row.get("title"));
		assertThat(completed).isEqualTo(row.get("completed"));
		assertThat(due).isEqualTo(instantOf(row.get("due_date")));
	}

	private static @Nullable Instant instantOf(@Nullable Object value) {
		if (value == null) {
			return null;
		}
		return (value instanceof java.time.OffsetDateTime offset) ? offset.toInstant() : (Instant) value;
	}

	private List<Delivered> arrived(String task) {
		List<Delivered> all = new ArrayList<>();
		for (String topic : List.of("task-events", "task-updates", "reminders")) {
			all.addAll(arrived(task, topic));
		}
		return all;
	}

	private static List<Delivered> arrived(String task, String topic) {
		return SIDECAR.delivered(topic).stream().filter((event) -> task.equals(event.key())).toList();
	}

	private static List<Long> sequences(String task, String topic) {
		return arrived(task, topic).stream()
			.map((event) -> Long.parseLong(event.event().get("sequence").stringValue()))
			.toList();
	}

	private double count(String meter, String outcome) {
		return this.meters.find(meter).tag("outcome", outcome).counters().stream().mapToDouble((c) -> c.count()).sum();
	}

}
