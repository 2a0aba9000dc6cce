package com.pakaura.api.events;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;

import com.pakaura.api.PakauraApplication;
import com.pakaura.api.support.OneRequestPerConnection;
import com.pakaura.api.support.TestDatabase;
import com.pakaura.api.support.TestDatabaseConfiguration;
import com.pakaura.api.support.Tokens;
import com.pakaura.binder.dapr.DaprVersion;
import com.pakaura.binder.dapr.DaprPublishResult;
import com.pakaura.binder.dapr.FakeDaprSidecar;
import com.pakaura.binder.dapr.FakeDaprSidecar.Fault;
import com.pakaura.binder.dapr.FakeDaprSidecar.Delivered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The delivery fault suite: whole instances of the service (several at once where a
 * scenario needs them, one as a child JVM killed with SIGKILL), real PostgreSQL, the fake
 * sidecar misbehaving as a broken Dapr would, and many users mutating at once. In outbox
 * delivery no event is lost, each task's events arrive in {@code sequence} order (first
 * arrivals; repeats of an {@code id} are counted as duplicates), and every API request
 * succeeds whatever the sidecar does. In fire-and-forget the API is just as unaffected
 * and every loss is counted. The figures of each scenario go to
 * {@code target/delivery-fault-suite.md}, which docs/operations.md quotes.
 */
class DeliveryFaultSuiteTest {

	private static final Duration PATIENCE = Duration.ofSeconds(180);

	private static final String FAULTS_IN_TURN = "sidecar faults by request in turn (none, 500, reset after publishing, slow broker, stall)";

	private static final Path CHILD_LOG = Path.of("target", "delivery-fault-suite-child.log");

	private static final Path FIGURES_FILE = Path.of("target", "delivery-fault-suite.md");

	private static final List<String> FIGURES = new CopyOnWriteArrayList<>();

	private static final List<String> TOPICS = List.of("task-events", "task-updates", "reminders");

	@AfterAll
	static void writeFigures() throws IOException {
		List<String> lines = new ArrayList<>(List.of(
				"| scenario | delivery | events expected | delivered (unique ids) | lost"
						+ " | duplicates | max delay (ms) | API requests ok | API p50 / p99 (ms) |",
				"|---|---|---|---|---|---|---|---|---|"));
		lines.addAll(FIGURES);
		Files.createDirectories(FIGURES_FILE.getParent());
		Files.write(FIGURES_FILE, lines);
		System.out.println(String.join("\n", lines));
	}

	/**
	 * Every relay on the shared table is one this suite started: a relay another test
	 * class left running (a cached context) would claim the load's rows too, for a
	 * sidecar that is gone, and push them back by its own backoff. Each relay listens on
	 * its own connection.
	 */
	@BeforeEach
	void noOtherRelayWatchesTheTable() {
		ConnectionFactory database = ConnectionFactories.get(TestDatabase.connectionOptions());
		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(500))
			.untilAsserted(() -> assertThat(Mono
				.usingWhen(database.create(),
						(connection) -> Mono.from(connection
							.createStatement("SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN "
									+ OutboxStore.CHANNEL + "'")
							.execute())
							.flatMap((result) -> Mono.from(result.map((row, meta) -> row.get(0, Long.class)))),
						Connection::close)
				.block()).as("relays listening for outbox commits before the scenario starts").isZero());
	}

	@Test
	void outboxSidecarDownForAWholeBurstThenUp() {
		sidecarDownForAWholeBurstThenUp("outbox", (app, load, sidecar) -> verifyOutbox(app, load, List.of(sidecar)));
	}

	@Test
	void outboxGracefulStopWithEventsPendingThenANewInstanceDeliversThem() {
		try (FakeDaprSidecar sidecar = FakeDaprSidecar.start()) {
			sidecar.failNextPublishes(Integer.MAX_VALUE);
			Load load;
			try (Instance first = Instance.start("outbox", sidecar.port())) {
				load = Load.drive(List.of(first), 3, 4, 5);
			}
			sidecar.failNextPublishes(0);
			try (Instance second = Instance.start("outbox", sidecar.port())) {
				report("graceful stop with events pending, a new instance delivers", "outbox", load,
						verifyOutbox(second, load, List.of(sidecar)));
			}
		}
	}

	@Test
	void outboxKilledWithSigkillThenANewInstanceDeliversEverything() throws Exception {
		try (FakeDaprSidecar sidecar = FakeDaprSidecar.start()) {
			sidecar.failNextPublishes(Integer.MAX_VALUE);
			Load load;
			try (ChildInstance child = ChildInstance.start("outbox", sidecar.port())) {
				load = Load.drive(List.of(child.target()), 3, 4, 5);
				child.kill();
			}
			sidecar.failNextPublishes(0);
			try (Instance second = Instance.start("outbox", sidecar.port())) {
				report("killed with SIGKILL with events pending, a new instance delivers", "outbox", load,
						verifyOutbox(second, load, List.of(sidecar)));
			}
		}
	}

	/**
	 * SIGKILL in the middle of the load, with a healthy sidecar: requests, commits,
	 * claims and sends are under way at the kill. A new instance delivers every change
	 * the task rows hold, once the killed relay's claims have run out, in order.
	 */
	@Test
	void outboxKilledWithSigkillMidLoadThenANewInstanceDeliversEverything() throws Exception {
		Instant start = Instant.now();
		try (FakeDaprSidecar sidecar = FakeDaprSidecar.start().latency(Duration.ofMillis(2), Duration.ofMillis(10))) {
			Load load;
			try (ChildInstance child = ChildInstance.start("outbox", sidecar.port())) {
				CompletableFuture<Load> driving = CompletableFuture
					.supplyAsync(() -> Load.drive(List.of(child.target()), 4, 5, 8));
				await().atMost(PATIENCE)
					.pollInterval(Duration.ofMillis(20))
					.until(() -> mutationsCommittedSince(start) >= 30);
				child.kill();
				load = driving.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
			}
			assertThat(load.failed()).as("requests the kill cut off: it came while the load ran").isPositive();
			try (Instance second = Instance.start("outbox", sidecar.port())) {
				report("killed with SIGKILL mid-load, healthy sidecar, a new instance delivers", "outbox", load,
						verifyOutboxDelivery(second, load, List.of(sidecar)));
			}
		}
	}

	/** The load's mutations committed so far: versions past the first, of its users. */
	private static long mutationsCommittedSince(Instant start) {
		ConnectionFactory database = ConnectionFactories.get(TestDatabase.connectionOptions());
		return Mono
			.usingWhen(
					database.create(), (
							connection) -> Mono
								.from(connection
									.createStatement("SELECT coalesce(sum(version - 1), 0)::bigint FROM tasks"
											+ " WHERE user_id LIKE 'fault-%' AND created_at >= $1")
									.bind("$1", start.atOffset(java.time.ZoneOffset.UTC))
									.execute())
								.flatMap((result) -> Mono.from(result.map((row, meta) -> row.get(0, Long.class)))),
					Connection::close)
			.block();
	}

	@Test
	void outboxSidecarFaultsInTurnDuringConcurrentMutations() {
		sidecarFaultsInTurnDuringConcurrentMutations("outbox",
				(app, load, sidecar) -> verifyOutbox(app, load, List.of(sidecar)));
	}

	@Test
	void outboxTwoRelaysOnOneDatabase() {
		try (FakeDaprSidecar sidecar = FakeDaprSidecar.start().latency(Duration.ofMillis(1), Duration.ofMillis(8));
				Instance first = Instance.start("outbox", sidecar.port());
				Instance second = Instance.start("outbox", sidecar.port())) {
			Load load = Load.drive(List.of(first, second), 4, 5, 8);
			Verified verified = verifyOutbox(first, load, List.of(sidecar));
			report("two instances, two relays, one database", "outbox", load, verified);
			// one owner per task: with a healthy sidecar no event goes twice, and no task
			// has two events with the sidecar at once on a topic
			assertThat(verified.duplicates()).as("events sent twice").isZero();
			assertThat(sidecar.maxConcurrentPerKey()).as("one event of a task per topic at a time").isOne();
		}
	}

	@Test
	void fireAndForgetUnderTheSameFaultsCountsEveryLoss() {
		sidecarDownForAWholeBurstThenUp("fire-and-forget", DeliveryFaultSuiteTest::verifyFireAndForget);
		sidecarFaultsInTurnDuringConcurrentMutations("fire-and-forget", DeliveryFaultSuiteTest::verifyFireAndForget);
	}

	/**
	 * Bulk publishing on each supported sidecar version while users mutate the same tasks
	 * at once: the broker fails the first attempt of about a quarter of the events, which
	 * daprd reports in {@code failedEntries} while the rest of each request is published.
	 * Outbox loses nothing and keeps each task's order; fire-and-forget counts every
	 * loss.
	 */
	@ParameterizedTest
	@EnumSource(DaprVersion.class)
	void bulkWithFailedEntriesDuringConcurrentMutations(DaprVersion version) {
		for (String delivery : List.of("outbox", "fire-and-forget")) {
			try (FakeDaprSidecar sidecar = FakeDaprSidecar.start()
				.version(version)
				.latency(Duration.ofMillis(1), Duration.ofMillis(5))
				.failFirstAttempt((id) -> Math.floorMod(id.hashCode(), 4) == 0);
					Instance app = Instance.start(delivery, sidecar.port())) {
				Load load = Load.drive(List.of(app), 4, 5, 8);
				Verified verified = delivery.equals("outbox") ? verifyOutbox(app, load, List.of(sidecar))
						: verifyFireAndForget(app, load, sidecar);
				report("bulk on daprd " + version.runtimeVersion() + ", a quarter of first attempts failed entries",
						delivery, load, verified);
				String route = version.stableBulkRoute() ? "/v1.0/publish/bulk/" : "/v1.0-alpha1/publish/bulk/";
				assertThat(sidecar.bulkRequests()).isNotEmpty()
					.allSatisfy((request) -> assertThat(request.path()).startsWith(route))
					.anySatisfy((request) -> assertThat(request.failedEntries()).isNotEmpty());
				assertThat(sidecar.maxConcurrentPerKey()).as("one event of a task per topic at a time").isOne();
			}
		}
	}

	/**
	 * The sidecar is not listening while users mutate, and stays away past the publish
	 * timeout.
	 */
	private static void sidecarDownForAWholeBurstThenUp(String delivery, Verification verification) {
		int port = FakeDaprSidecar.freePort();
		try (Instance app = Instance.start(delivery, port)) {
			Load load = Load.drive(List.of(app), 4, 5, 6);
			staysDownPastThePublishTimeout();
			try (FakeDaprSidecar sidecar = FakeDaprSidecar.startOn(port)) {
				report("sidecar down for the burst, then up", delivery, load, verification.verify(app, load, sidecar));
			}
		}
	}

	/**
	 * While users mutate, the sidecar's publish requests get a fault each, in turn: none,
	 * a broker failure, a reset after publishing, a slow broker, a stall. By request, not
	 * by clock, so every kind is met however fast the machine is, and the test says so.
	 */
	private static void sidecarFaultsInTurnDuringConcurrentMutations(String delivery, Verification verification) {
		try (FakeDaprSidecar sidecar = FakeDaprSidecar.start();
				Instance app = Instance.start(delivery, sidecar.port(),
						"--spring.cloud.stream.dapr.binder.response-timeout=1s")) {
			sidecar.cycleFaults(Fault.values());
			Load load = Load.drive(List.of(app), 4, 5, 8);
			Map<Fault, Integer> met = sidecar.faultsApplied();
			sidecar.cycleFaults();
			assertThat(met).as("publish requests per fault while users mutated")
				.containsOnlyKeys(Fault.values())
				.allSatisfy((fault, requests) -> assertThat(requests).isPositive());
			report(FAULTS_IN_TURN, delivery, load, verification.verify(app, load, sidecar));
		}
	}

	/**
	 * What a scenario checks once the faults are over: the figures of one delivery mode.
	 */
	@FunctionalInterface
	private interface Verification {

		Verified verify(Instance app, Load load, FakeDaprSidecar sidecar);

	}

	/**
	 * Longer than the binder's 2 s publish timeout: fire-and-forget gives up on what it
	 * holds.
	 */
	private static void staysDownPastThePublishTimeout() {
		try {
			Thread.sleep(3000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	// ---- verification -----------------------------------------------------------------

	/** What reached the sidecar, against what the outbox holds for the load's tasks. */
	private static Verified verifyOutbox(Instance app, Load load, List<FakeDaprSidecar> sidecars) {
		assertThat(load.failed()).as("API requests that failed").isZero();
		return verifyOutboxDelivery(app, load, sidecars);
	}

	/**
	 * What reached the sidecar, against the task rows and the outbox, whatever became of
	 * the API requests.
	 */
	private static Verified verifyOutboxDelivery(Instance app, Load load, List<FakeDaprSidecar> sidecars) {
		DatabaseClient db = app.context().getBean(DatabaseClient.class);
		UUID[] tasks = load.tasks().stream().map(UUID::fromString).toArray(UUID[]::new);
		await().atMost(PATIENCE)
			.pollInterval(Duration.ofMillis(500))
			.until(() -> db
				.sql("SELECT count(*) AS n FROM event_outbox WHERE task_id = ANY(:tasks) AND delivered_at IS NULL")
				.bind("tasks", tasks)
				.map((row) -> row.get("n", Long.class))
				.one()
				.block() == 0);
		List<Map<String, Object>> rows = db
			.sql("SELECT event_id, task_id, created_at FROM event_outbox WHERE task_id = ANY(:tasks)")
			.bind("tasks", tasks)
			.fetch()
			.all()
			.collectList()
			.block();
		Map<String, Instant> expected = new HashMap<>();
		rows.forEach((row) -> expected.put(row.get("event_id").toString(), instant(row.get("created_at"))));
		List<Delivered> deliveries = deliveries(sidecars, load);
		Map<String, Instant> firstArrival = new LinkedHashMap<>();
		deliveries.forEach((delivered) -> firstArrival.putIfAbsent(delivered.event().get("id").stringValue(),
				delivered.receivedAt()));
		assertThat(firstArrival.keySet()).as("every event id arrived").containsAll(expected.keySet());
		assertFirstArrivalsInSequenceOrder(deliveries);
		assertEveryChangeArrived(db, tasks, deliveries);
		long maxDelay = expected.entrySet()
			.stream()
			.mapToLong((entry) -> Duration.between(entry.getValue(), firstArrival.get(entry.getKey())).toMillis())
			.max()
			.orElse(0);
		return new Verified(expected.size(), firstArrival.size(),
				expected.size() - countArrived(expected.keySet(), firstArrival),
				deliveries.size() - firstArrival.size(), maxDelay);
	}

	/**
	 * Every event the application handed over ends in one counted outcome; every loss is
	 * among them.
	 */
	private static Verified verifyFireAndForget(Instance app, Load load, FakeDaprSidecar sidecar) {
		assertThat(load.failed()).as("API requests that failed").isZero();
		MeterRegistry meters = app.context().getBean(MeterRegistry.class);
		await().atMost(PATIENCE)
			.pollInterval(Duration.ofMillis(500))
			.until(() -> count(meters, "pakaura.events.publish", "handed_off") == outcomes(meters,
					List.of("success", "http_error", "unavailable", "unknown", "dropped", "too_large")));
		long handedOff = (long) count(meters, "pakaura.events.publish", "handed_off");
		assertThat(
				count(meters, "pakaura.events.publish", "failed") + count(meters, "pakaura.events.publish", "dropped"))
			.isZero();
		List<Delivered> deliveries = deliveries(List.of(sidecar), load);
		Set<String> unique = new HashSet<>();
		deliveries.forEach((delivered) -> unique.add(delivered.event().get("id").stringValue()));
		long lost = handedOff - unique.size();
		// one by one: each event the sidecar never got is one the binder said it did not
		// publish, and each it said it published arrived
		Map<String, CompletableFuture<DaprPublishResult>> verdicts = app.context()
			.getBean(ConfirmedOutcomes.class)
			.byEventId();
		assertThat(verdicts).as("an event per hand-over").hasSize((int) handedOff);
		await().atMost(PATIENCE).until(() -> verdicts.values().stream().allMatch(CompletableFuture::isDone));
		verdicts.forEach((id, verdict) -> {
			DaprPublishResult result = verdict.join();
			if (!unique.contains(id)) {
				assertThat(result.published()).as("event %s never arrived, and the binder said %s", id, result)
					.isFalse();
			}
			if (result.published()) {
				assertThat(unique).as("event %s published by the binder's account", id).contains(id);
			}
		});
		// and in sum: no more lost than counted as not delivered
		long countedNotDelivered = (long) outcomes(meters,
				List.of("http_error", "unavailable", "unknown", "dropped", "too_large"));
		assertThat(lost).as("lost events are all counted").isLessThanOrEqualTo(countedNotDelivered);
		return new Verified(handedOff, unique.size(), lost, deliveries.size() - unique.size(), -1);
	}

	private static void assertFirstArrivalsInSequenceOrder(List<Delivered> deliveries) {
		Map<String, Long> last = new HashMap<>();
		Set<String> seen = new HashSet<>();
		for (Delivered delivered : deliveries) {
			if (!seen.add(delivered.event().get("id").stringValue())) {
				continue;
			}
			String line = delivered.key() + " " + delivered.topic();
			long sequence = Long.parseLong(delivered.event().get("sequence").stringValue());
			Long previous = last.put(line, sequence);
			assertThat(previous == null || previous < sequence)
				.as("%s: sequence %s arrived after %s", line, sequence, previous)
				.isTrue();
		}
	}

	/**
	 * Expected from the tasks themselves, not from the outbox (the writer's own output):
	 * a task at version v had v changes, each with one event on {@code task-events} and
	 * one on {@code task-updates}, so each of those topics got exactly sequences 1..v of
	 * it.
	 */
	private static void assertEveryChangeArrived(DatabaseClient db, UUID[] tasks, List<Delivered> deliveries) {
		Map<String, Long> versions = new HashMap<>();
		db.sql("SELECT id, version FROM tasks WHERE id = ANY(:tasks)")
			.bind("tasks", tasks)
			.map((row) -> Map.entry(row.get("id", UUID.class).toString(), row.get("version", Long.class)))
			.all()
			.doOnNext((entry) -> versions.put(entry.getKey(), entry.getValue()))
			.blockLast();
		assertThat(versions).as("the load's tasks").hasSize(tasks.length);
		for (String topic : List.of("task-events", "task-updates")) {
			Map<String, Set<Long>> arrived = new HashMap<>();
			deliveries.stream()
				.filter((delivered) -> delivered.topic().equals(topic))
				.forEach((delivered) -> arrived.computeIfAbsent(delivered.key(), (task) -> new HashSet<>())
					.add(Long.parseLong(delivered.event().get("sequence").stringValue())));
			versions.forEach((task, version) -> assertThat(arrived.getOrDefault(task, Set.of()))
				.as("%s sequences of task %s at version %s", topic, task, version)
				.containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, version).boxed().toList()));
		}
	}

	private static long countArrived(Set<String> expected, Map<String, Instant> arrived) {
		return expected.stream().filter(arrived::containsKey).count();
	}

	private static List<Delivered> deliveries(List<FakeDaprSidecar> sidecars, Load load) {
		Set<String> tasks = new HashSet<>(load.tasks());
		List<Delivered> all = new ArrayList<>();
		sidecars.forEach((sidecar) -> all.addAll(sidecar.delivered()));
		all.sort((a, b) -> a.receivedAt().compareTo(b.receivedAt()));
		return all.stream()
			.filter((delivered) -> tasks.contains(delivered.key()) && TOPICS.contains(delivered.topic()))
			.toList();
	}

	private static void report(String scenario, String delivery, Load load, Verified verified) {
		List<Long> latencies = new ArrayList<>(load.latenciesMillis());
		Collections.sort(latencies);
		FIGURES.add("| " + scenario + " | " + delivery + " | " + verified.expected() + " | " + verified.delivered()
				+ " | " + verified.lost() + " | " + verified.duplicates() + " | "
				+ ((verified.maxDelayMillis() >= 0) ? verified.maxDelayMillis() : "-") + " | "
				+ (load.requests() - load.failed()) + "/" + load.requests() + " | " + percentile(latencies, 50) + " / "
				+ percentile(latencies, 99) + " |");
		if ("outbox".equals(delivery)) {
			assertThat(verified.lost()).as("events lost").isZero();
		}
	}

	private static long percentile(List<Long> sorted, int percent) {
		return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, sorted.size() * percent / 100));
	}

	private static double count(MeterRegistry meters, String name, String outcome) {
		return meters.find(name).tag("outcome", outcome).counters().stream().mapToDouble((c) -> c.count()).sum();
	}

	private static double outcomes(MeterRegistry meters, List<String> outcomes) {
		return outcomes.stream().mapToDouble((outcome) -> count(meters, "dapr.publish", outcome)).sum();
	}

	private static Instant instant(Object value) {
		return (value instanceof OffsetDateTime offset) ? offset.toInstant() : (Instant) value;
	}

	private record Verified(long expected, long delivered, long lost, long duplicates, long maxDelayMillis) {

	}

	// ---- the service, the load and the faults
	// --------------------------------------------

	private static List<String> arguments(String delivery, int sidecarPort, String... extra) {
		List<String> arguments = new ArrayList<>(
				List.of("--pakaura.auth.jwt-secret=" + Tokens.SECRET, "--spring.cloud.stream.dapr.binder.enabled=true",
						"--spring.cloud.stream.dapr.binder.http-port=" + sidecarPort,
						"--spring.cloud.stream.dapr.binder.startup-wait=0s", "--pakaura.events.delivery=" + delivery,
						"--pakaura.events.outbox.poll-interval=200ms", "--pakaura.events.outbox.retry-backoff=50ms",
						"--pakaura.events.outbox.max-retry-backoff=500ms",
						// a killed instance holds its claimed tasks for one lease
						"--pakaura.events.outbox.claim-lease=10s",
						// the faults make the binder warn about every event; the figures
						// say what happened
						"--logging.level.com.pakaura.binder=ERROR", "--logging.level.com.pakaura.api.web=WARN",
						"--spring.main.banner-mode=off"));
		arguments.addAll(List.of(extra));
		return arguments;
	}

	/** A whole instance of the service in this JVM, on the test database. */
	record Instance(ConfigurableApplicationContext context, String baseUrl) implements AutoCloseable {

		static Instance start(String delivery, int sidecarPort, String... extra) {
			List<String> arguments = arguments(delivery, sidecarPort, extra);
			arguments.add("--server.port=0");
			ConfigurableApplicationContext context = SpringApplication.from(PakauraApplication::main)
				.with(TestDatabaseConfiguration.class, ConfirmedOutcomes.Recording.class)
				.run(arguments.toArray(String[]::new))
				.getApplicationContext();
			int port = ((WebServerApplicationContext) context).getWebServer().getPort();
			return new Instance(context, "http://localhost:" + port);
		}

		@Override
		public void close() {
			this.context.close();
		}

	}

	/** The service in a JVM of its own, to be killed with SIGKILL. */
	record ChildInstance(Process process, Instance target) implements AutoCloseable {

		static ChildInstance start(String delivery, int sidecarPort) throws Exception {
			int port = FakeDaprSidecar.freePort();
			List<String> arguments = new ArrayList<>(arguments(delivery, sidecarPort));
			arguments.add("--server.port=" + port);
			ProcessBuilder child = TestDatabase
				.javaProcess(System.getProperty("java.class.path"), PakauraApplication.class.getName(),
						arguments.toArray(String[]::new))
				.redirectErrorStream(true)
				.redirectOutput(CHILD_LOG.toFile());
			child.environment().putAll(TestDatabase.environment("SPRING_R2DBC_"));
			Process process = child.start();
			String baseUrl = "http://localhost:" + port;
			WebClient probe = WebClient.builder().clientConnector(OneRequestPerConnection.connector()).build();
			await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).until(() -> {
				assertThat(process.isAlive()).as("the child JVM is running; see %s", CHILD_LOG).isTrue();
				return probe.get()
					.uri(baseUrl + "/actuator/health/readiness")
					.retrieve()
					.toBodilessEntity()
					.map((response) -> response.getStatusCode().is2xxSuccessful())
					.onErrorReturn(false)
					.block(Duration.ofSeconds(10));
			});
			return new ChildInstance(process, new Instance(null, baseUrl));
		}

		/** SIGKILL: no shutdown hook, no drain, nothing flushed. */
		void kill() throws InterruptedException {
			this.process.destroyForcibly();
			assertThat(this.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		}

		@Override
		public void close() {
			this.process.destroyForcibly();
		}

	}

	/**
	 * Many users creating tasks and then mutating them at once (title, due date set and
	 * cleared, complete, uncomplete), spread over the instances; each request's answer
	 * and time kept.
	 */
	record Load(List<String> tasks, int requests, int failed, List<Long> latenciesMillis) {

		static Load drive(List<Instance> instances, int users, int tasksPerUser, int mutationsPerTask) {
			List<String> tasks = new CopyOnWriteArrayList<>();
			Map<String, WebClient> owners = new java.util.concurrent.ConcurrentHashMap<>();
			List<Long> latencies = new CopyOnWriteArrayList<>();
			AtomicInteger requests = new AtomicInteger();
			AtomicInteger failed = new AtomicInteger();
			List<WebClient> clients = new ArrayList<>();
			for (int user = 0; user < users; user++) {
				String token = Tokens.forUser("fault-" + UUID.randomUUID());
				clients.add(WebClient.builder()
					.baseUrl(instances.get(user % instances.size()).baseUrl())
					.clientConnector(OneRequestPerConnection.connector())
					.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token)
					.build());
			}
			Flux.range(0, users * tasksPerUser)
				.flatMap((n) -> measure(clients.get(n % users)
					.post()
					.uri("/api/tasks")
					.contentType(MediaType.APPLICATION_JSON)
					.bodyValue(Map.of("title", "Fault " + n))
					.retrieve()
					.bodyToMono(Map.class)
					.doOnNext((created) -> {
						tasks.add((String) created.get("id"));
						owners.put((String) created.get("id"), clients.get(n % users));
					}), requests, failed, latencies), 8)
				.blockLast(PATIENCE);
			List<String> created = List.copyOf(tasks);
			Flux.range(0, created.size() * mutationsPerTask).flatMap((n) -> {
				String task = created.get(ThreadLocalRandom.current().nextInt(created.size()));
				return measure(mutation(owners.get(task), task, n), requests, failed, latencies);
			}, 16).blockLast(PATIENCE);
			return new Load(created, requests.get(), failed.get(), List.copyOf(latencies));
		}

		private static Mono<?> mutation(WebClient client, String task, int n) {
			return switch (n % 4) {
				case 0 -> client.patch()
					.uri("/api/tasks/{id}", task)
					.contentType(MediaType.APPLICATION_JSON)
					.bodyValue(Map.of("title", "Title " + n))
					.retrieve()
					.toBodilessEntity();
				case 1 -> client.patch()
					.uri("/api/tasks/{id}", task)
					.contentType(MediaType.APPLICATION_JSON)
					.bodyValue((n % 8 == 1) ? Map.of("due_date", "2027-02-0" + (1 + n % 9) + "T08:00:00Z")
							: Collections.singletonMap("due_date", null))
					.retrieve()
					.toBodilessEntity();
				case 2 -> client.post().uri("/api/tasks/{id}/complete", task).retrieve().toBodilessEntity();
				default -> client.post().uri("/api/tasks/{id}/uncomplete", task).retrieve().toBodilessEntity();
			};
		}

		private static Mono<?> measure(Mono<?> request, AtomicInteger requests, AtomicInteger failed,
				List<Long> latencies) {
			return Mono.defer(() -> {
				// counted when sent: a count kept in doFinally could trail the last
				// answer
				requests.incrementAndGet();
				long start = System.nanoTime();
				return request.doOnSuccess((done) -> latencies.add((System.nanoTime() - start) / 1_000_000))
					.doOnError((ex) -> failed.incrementAndGet())
					.onErrorResume((ex) -> Mono.empty());
			});
		}

	}

}
