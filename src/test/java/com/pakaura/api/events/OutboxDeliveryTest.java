package com.pakaura.api.events;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Wrapped;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.pakaura.api.events.EventsProperties.Completion;
import com.pakaura.api.support.GrafanaDashboard;
import com.pakaura.api.support.PrometheusScrape;
import com.pakaura.api.support.ServiceTest;
import com.pakaura.api.support.Tokens;
import com.pakaura.api.support.UserSession;
import com.pakaura.binder.dapr.FakeDaprSidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Outbox delivery end to end: the events of a change are rows of its own transaction, the
 * relay sends them through the dapr binder until the sidecar answers 2xx, and what the
 * sidecar refuses for good is parked for an operator.
 */
@ServiceTest
@ExtendWith(OutputCaptureExtension.class)
// closed after the class, not cached: its relay would go on claiming the shared table's
// rows for a sidecar that is gone (no other class shares its sidecar's port anyway)
@DirtiesContext
class OutboxDeliveryTest {

	@RegisterExtension
	static final FakeDaprSidecar SIDECAR = FakeDaprSidecar.start();

	@DynamicPropertySource
	static void outbox(DynamicPropertyRegistry properties) {
		properties.add("DAPR_ENABLED", () -> "true");
		properties.add("DAPR_HTTP_PORT", SIDECAR::port);
		properties.add("pakaura.events.delivery", () -> "outbox");
		properties.add("pakaura.events.outbox.poll-interval", () -> "200ms");
		properties.add("pakaura.events.outbox.retry-backoff", () -> "50ms");
		properties.add("pakaura.events.outbox.max-retry-backoff", () -> "200ms");
		properties.add("pakaura.events.outbox.purge-interval", () -> "200ms");
		properties.add("pakaura.events.outbox.retention", () -> "1h");
		// short, so that a test can see a round outlive its claim
		properties.add("pakaura.events.outbox.claim-lease", () -> "3s");
	}

	@Autowired
	private WebTestClient http;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private ConnectionFactory connections;

	@Autowired
	private OutboxStore store;

	@Autowired
	private TransactionalOperator transaction;

	@Autowired
	private MeterRegistry meters;

	private UserSession user;

	@BeforeEach
	void freshUser() {
		SIDECAR.reset();
		this.user = new UserSession(this.http);
	}

	@Test
	void theOutboxMetricsOfTheDashboardAreServed() {
		this.user.createTask(Map.of("title", "Measured"));
		await().until(() -> SIDECAR.delivered().size() == 2);
		String scrape = PrometheusScrape.of(this.http);
		GrafanaDashboard.assertScrapeServes(scrape, "pakaura_outbox_", "dapr_");
	}

	@Test
	void aChangesEventsAreRowsOfItsTransactionAndLeaveOnlyOnceTheSidecarHasThem() {
		SIDECAR.failNextPublishes(Integer.MAX_VALUE);
		String id = this.user.createTask(Map.of("title", "Durable", "due_date", "2026-12-01T08:00:00Z"));
		List<Map<String, Object>> rows = rowsOf(id);
		assertThat(rows).hasSize(3);
		await().until(() -> SIDECAR.requests().size() >= 3);
		assertThat(rowsOf(id)).as("rows of events the sidecar has not taken").hasSize(3);

		SIDECAR.failNextPublishes(0);
		await().until(() -> SIDECAR.delivered().size() == 3);
		// one change: its three events go side by side, one to each topic
		assertThat(SIDECAR.delivered()).extracting((event) -> event.event().get("id").stringValue())
			.containsExactlyInAnyOrderElementsOf(rows.stream().map((row) -> row.get("event_id").toString()).toList());
		assertThat(SIDECAR.delivered()).extracting((event) -> event.event().get("type").stringValue())
			.containsExactlyInAnyOrder("task.created", "sync.task", "reminder.scheduled");
		// completion: delete, the default: once recorded, a delivered event's row is gone
		await().until(() -> rowsOf(id).isEmpty());
	}

	/**
	 * A row's payload is the event as it is published, readable as JSON in SQL (an
	 * operator looking into a parked event:
	 * {@code convert_from(payload, 'UTF8')::jsonb}), its hostile Unicode intact; a round
	 * that reads it back sends those same characters.
	 */
	@Test
	void aRowsPayloadIsTheEventAsPublishedAndReadsAsJsonInSql() {
		SIDECAR.failNextPublishes(Integer.MAX_VALUE);
		String title = "Ünïcødé 🚀 \u202Eevil\u202C \u05D0\u05D1 e\u0301 \"quoted\" \\ back \uFEFF";
		String id = this.user.createTask(Map.of("title", title));
		List<Map<String, Object>> rows = this.db
			.sql("""
					SELECT event_id::text AS event_id, event ->> 'id' AS id, event ->> 'type' AS type, event -> 'data' ->> 'title' AS title
					FROM (SELECT event_id, task_id, convert_from(payload, 'UTF8')::jsonb AS event FROM event_outbox) AS stored
					WHERE task_id = :task""")
			.bind("task", UUID.fromString(id))
			.fetch()
			.all()
			.collectList()
			.block();
		assertThat(rows).hasSize(2)
			.allSatisfy((row) -> assertThat(row.get("id")).isEqualTo(row.get("event_id")))
			.filteredOn((row) -> "task.created".equals(row.get("type")))
			.singleElement()
			.satisfies((row) -> assertThat(row.get("title")).isEqualTo(title));

		// once a send from memory has failed, the retry is a round's, from the table
		await().until(() -> this.db.sql("SELECT min(attempts) FROM event_outbox WHERE task_id = :task")
			.bind("task", UUID.fromString(id))
			.map((row) -> row.get(0, Integer.class))
			.one()
			.block() > 0);
		SIDECAR.failNextPublishes(0);
		await().until(() -> SIDECAR.delivered().size() == 2);
		assertThat(SIDECAR.delivered())
			.filteredOn((event) -> "task.created".equals(event.event().get("type").stringValue()))
			.singleElement()
			.satisfies((event) -> assertThat(event.event().get("data").get("title").stringValue()).isEqualTo(title));
	}

	/**
	 * What recording a delivery does to its row, by {@code completion}: {@code delete}
	 * removes it; {@code update} keeps it, marked delivered and no longer claimed, for
	 * the purge after {@code retention}. A row already completed is not counted again.
	 */
	@Test
	void aDeliveryDeletesItsRowOrWithCompletionUpdateKeepsItMarkedDelivered() {
		for (Completion completion : Completion.values()) {
			UUID task = UUID.randomUUID();
			Long id = this.db.sql("""
					INSERT INTO event_outbox (event_id, task_id, sequence, event_type, binding, payload, claimed_by,
					                          claimed_until)
					VALUES (gen_random_uuid(), :task, 1, 'task.created', 'task-events', '\\x7b7d'::bytea,
					        gen_random_uuid(), now() + interval '1 minute')
					RETURNING id""").bind("task", task).map((row) -> row.get("id", Long.class)).one().block();
			OutboxStore store = storeCompleting(completion);

			Long completed = store.record(UUID.randomUUID(), new Long[] { id }, List.of(), new Long[0]).block();
			Long again = store.record(UUID.randomUUID(), new Long[] { id }, List.of(), new Long[0]).block();

			assertThat(completed).as(completion + ": rows completed").isEqualTo(1);
			assertThat(again).as(completion + ": rows completed twice").isZero();
			List<Map<String, Object>> left = rowsOf(task.toString());
			if (completion == Completion.DELETE) {
				assertThat(left).as("rows left by completion: delete").isEmpty();
			}
			else {
				assertThat(left).singleElement()
					.satisfies((row) -> assertThat(row.get("delivered_at")).as("delivered_at").isNotNull())
					.satisfies((row) -> assertThat(row.get("claimed_by")).as("claimed_by").isNull());
				this.db.sql("DELETE FROM event_outbox WHERE task_id = :task").bind("task", task).then().block();
			}
		}
	}

	private OutboxStore storeCompleting(Completion completion) {
		EventsProperties properties = new Binder(
				new MapConfigurationPropertySource(Map.of("pakaura.events.outbox.completion", completion.name())))
			.bindOrCreate("pakaura.events", EventsProperties.class);
		return new OutboxStore(this.db, this.transaction, this.connections, properties);
	}

	@Test
	void aSidecarThatIsDownDelaysEventsButLosesNone() {
		SIDECAR.failNextPublishes(Integer.MAX_VALUE);
		String id = this.user.createTask(Map.of("title", "Patient"));
		this.user.patch()
			.uri("/api/tasks/{id}", id)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"title\":\"Still\"}")
			.exchange()
			.expectStatus()
			.isOk();
		await().until(() -> SIDECAR.requests().size() >= 5);
		assertThat(SIDECAR.delivered()).isEmpty();

		SIDECAR.failNextPublishes(0);
		await().until(() -> SIDECAR.delivered().size() == 4);
		// in order on each topic; a change's events on different topics go side by side
		assertThat(SIDECAR.delivered("task-events"))
			.extracting((event) -> event.event().get("type").stringValue() + " "
					+ Long.parseLong(event.event().get("sequence").stringValue()))
			.containsExactly("task.created 1", "task.updated 2");
		assertThat(SIDECAR.delivered("task-updates"))
			.extracting((event) -> event.event().get("type").stringValue() + " "
					+ Long.parseLong(event.event().get("sequence").stringValue()))
			.containsExactly("sync.task 1", "sync.task 2");
	}

	/**
	 * A change with nothing of its task pending is sent from memory at its commit; one
	 * behind a pending change of its task is left to a round, which sends it only after
	 * that change: never beside it, never before it.
	 */
	@Test
	void aCommitsEventsGoFromMemoryUnlessAnEarlierChangeOfTheTaskIsPending() {
		double handedOverBefore = handedOver();
		// the first change's events are at the sidecar for 2 s: long enough for the
		// second
		// change to be committed while they are pending
		SIDECAR.latency(Duration.ofSeconds(2), Duration.ofSeconds(2));
		String id = this.user.createTask(Map.of("title", "First"));
		await().until(() -> SIDECAR.arrivals().size() == 2);
		this.user.patch()
			.uri("/api/tasks/{id}", id)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"title\":\"Second\"}")
			.exchange()
			.expectStatus()
			.isOk();
		SIDECAR.latency(Duration.ZERO, Duration.ZERO);

		await().until(() -> SIDECAR.delivered().size() == 4);
		assertThat(handedOver() - handedOverBefore).as("events sent from memory: the first change's").isEqualTo(2.0);
		assertThat(SIDECAR.maxConcurrentPerKey()).as("a task's events under way at once, per topic").isEqualTo(1);
		assertThat(SIDECAR.delivered("task-events"))
			.extracting((event) -> Long.parseLong(event.event().get("sequence").stringValue()))
			.containsExactly(1L, 2L);
		assertThat(SIDECAR.delivered("task-updates"))
			.extracting((event) -> Long.parseLong(event.event().get("sequence").stringValue()))
			.containsExactly(1L, 2L);
		await().until(() -> rowsOf(id).isEmpty());
	}

	private double handedOver() {
		return this.meters.get("pakaura.outbox.handed.over").counter().count();
	}

	@Test
	void aChangesEventsAreRelayedUnderOneObservation() {
		// what earlier tests left pending would be relayed, and observed, meanwhile
		await().until(() -> this.store.counts().block().pending() == 0);
		long before = relayed("success");
		this.user.createTask(Map.of("title", "Observed once", "due_date", "2026-12-01T08:00:00Z"));

		// a change's observation starts before its events are handed to the binder: once
		// all three arrived and none is active, every observation of the change has ended
		await().until(() -> SIDECAR.delivered().size() == 3
				&& this.meters.get("pakaura.outbox.relay.active").longTaskTimer().activeTasks() == 0);
		assertThat(relayed("success") - before).as("observations of one change of three events").isEqualTo(1);
	}

	/**
	 * The delivery lag is timed from the statement that wrote an event to the sidecar's
	 * 2xx, once per event: the sidecar's own second of latency is in it.
	 */
	@Test
	void eachDeliveredEventsLagFromItsWriteToTheSidecarsAnswerIsRecorded() {
		await().until(() -> this.store.counts().block().pending() == 0);
		Timer lag = this.meters.get("pakaura.outbox.delivery.lag").timer();
		long before = lag.count();
		SIDECAR.latency(Duration.ofSeconds(1), Duration.ofSeconds(1));
		try {
			this.user.createTask(Map.of("title", "Timed", "due_date", "2026-12-01T08:00:00Z"));
			await().until(() -> SIDECAR.delivered().size() == 3 && lag.count() - before == 3);
		}
		finally {
			SIDECAR.latency(Duration.ZERO, Duration.ZERO);
		}
		assertThat(lag.max(TimeUnit.MILLISECONDS)).as("the longest lag, ms, with the sidecar a second late")
			.isGreaterThanOrEqualTo(1000);
	}

	private long relayed(String outcome) {
		return this.meters.find("pakaura.outbox.relay")
			.tag("outcome", outcome)
			.timers()
			.stream()
			.mapToLong(Timer::count)
			.sum();
	}

	@Test
	void anEventTheSidecarRefusesForGoodIsParkedForAnOperatorAndResubmittable(CapturedOutput output) {
		SIDECAR.forbidTopics("task-updates");
		String id = this.user.createTask(Map.of("title", "Refused in part"));

		await().until(() -> rowsOf(id).stream().anyMatch((row) -> row.get("parked_at") != null));
		await().until(() -> SIDECAR.delivered().size() == 1);
		assertThat(SIDECAR.delivered().get(0).event().get("type").stringValue()).isEqualTo("task.created");
		assertThat(output.getOut()).contains("Outbox event parked").contains("ERR_PUBSUB_FORBIDDEN");

		WebTestClient operator = this.http.mutate()
			.defaultHeader("Authorization", "Bearer " + Tokens.forOperator("ops"))
			.build();
		operator.get()
			.uri("/actuator/outbox")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.parked")
			.isEqualTo(1)
			.jsonPath("$.parked_events[0].event_type")
			.isEqualTo("sync.task");
		// an ordinary user's token may not touch it
		this.user.get().uri("/actuator/outbox").exchange().expectStatus().isForbidden();

		SIDECAR.forbidTopics();
		resubmit(operator, "{}").jsonPath("$.resubmitted").isEqualTo(1);
		await().until(() -> SIDECAR.delivered().size() == 2);
		await().until(() -> rowsOf(id).isEmpty());
	}

	/**
	 * An operator resubmits one parked event by its id ({@code event_id} is indexed for
	 * parked rows only): that event goes, and another parked one stays parked.
	 */
	@Test
	void anOperatorResubmitsOneParkedEventByItsId() {
		SIDECAR.forbidTopics("task-updates");
		String first = this.user.createTask(Map.of("title", "Parked first"));
		String second = this.user.createTask(Map.of("title", "Parked second"));
		await().until(() -> parkedOf(first) != null && parkedOf(second) != null);
		SIDECAR.forbidTopics();
		int deliveredBefore = SIDECAR.delivered().size();

		WebTestClient operator = this.http.mutate()
			.defaultHeader("Authorization", "Bearer " + Tokens.forOperator("ops"))
			.build();
		resubmit(operator, Map.of("eventId", parkedOf(first))).jsonPath("$.resubmitted").isEqualTo(1);

		await().until(() -> rowsOf(first).isEmpty());
		assertThat(SIDECAR.delivered().subList(deliveredBefore, SIDECAR.delivered().size()))
			.extracting((event) -> event.event().get("subject").stringValue())
			.containsExactly(first);
		assertThat(parkedOf(second)).as("the other parked event").isNotNull();

		// the table is shared with the other tests: the other one goes too
		resubmit(operator, Map.of("eventId", parkedOf(second)));
		await().until(() -> rowsOf(second).isEmpty());
	}

	/** POST /actuator/outbox as the operator: resubmits parked events; its answer. */
	private static WebTestClient.BodyContentSpec resubmit(WebTestClient operator, Object body) {
		return operator.post()
			.uri("/actuator/outbox")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody();
	}

	/** The id of the task's parked event, if it has one. */
	private @Nullable String parkedOf(String task) {
		return rowsOf(task).stream()
			.filter((row) -> row.get("parked_at") != null)
			.map((row) -> row.get("event_id").toString())
			.findFirst()
			.orElse(null);
	}

	/**
	 * The table keeps its file through vacuum: truncated after a drain, it looked empty
	 * to the planner, which then planned the relay's statements as scans reading every
	 * dead row of the next fill (research.md R16; the plans themselves depend on the
	 * moment's statistics, so the setting that keeps them stable is what is asserted).
	 */
	@Test
	void vacuumLeavesTheOutboxFileItsSizeAfterADrain() {
		String options = this.db
			.sql("SELECT array_to_string(reloptions, ',') AS options FROM pg_class"
					+ " WHERE oid = 'event_outbox'::regclass")
			.map((row) -> String.valueOf(row.get("options", String.class)))
			.one()
			.block();
		assertThat(options).contains("vacuum_truncate=false");
	}

	/**
	 * The pending index on {@code id} alone is the relay's claim's, and never the
	 * writer's check for an earlier pending change of a task: planned on the statistics
	 * of a drained queue, the check used it as a scan of every entry, dead ones included
	 * (research.md R16). Which index a statement uses depends on the moment's statistics;
	 * which ones it can use does not: inside a transaction that is rolled back, the
	 * task's index is dropped and sequential scans are priced out, so each plan shows
	 * whether the id-only index could serve it at all.
	 */
	@Test
	void thePendingIndexOnIdAloneServesTheClaimAndNeverTheWritersCheck() {
		Mono<String> check = writersCheckPlan();
		Mono<String> claim = plan(this.db.sql("EXPLAIN " + OutboxStore.CLAIM)
			.bind("limit", 10)
			.bind("lease", 30.0)
			.bind("relay", UUID.randomUUID()));
		List<String> plans = this.transaction.execute((status) -> {
			status.setRollbackOnly();
			return this.db.sql("DROP INDEX event_outbox_pending_by_task")
				.then()
				.then(this.db.sql("SET LOCAL enable_seqscan = off").then())
				.thenMany(Flux.concat(check, claim));
		}).collectList().block();
		assertThat(plans.get(0)).as("the writer's check").doesNotContainPattern("\\bevent_outbox_pending\\b");
		assertThat(plans.get(1)).as("the claim").containsPattern("\\bevent_outbox_pending\\b");
	}

	/**
	 * The writer asks once per row whether an earlier change of the row's task is
	 * pending: its answer decides two columns, and the planner, pulling the question up
	 * into each, had asked it twice.
	 */
	@Test
	void theWriterAsksOncePerRowWhetherAnEarlierChangeIsPending() {
		String check = writersCheckPlan().block();
		assertThat(Pattern.compile("on event_outbox e(_\\d+)?\\s").matcher(check).results().count())
			.as("scans of the table for the check in:%n%s", check)
			.isEqualTo(1);
	}

	/** The plan of one row's write by a change of a task that may have one pending. */
	private Mono<String> writersCheckPlan() {
		return plan(this.db.sql("EXPLAIN " + OutboxStore.insert(1, true, false))
			.bind(0, UUID.randomUUID())
			.bind(1, UUID.randomUUID())
			.bind(2, 2L)
			.bind(3, "task.updated")
			.bind(4, "task-events")
			.bind(5, "{}")
			.bind(6, "planned")
			.bind(7, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
			.bind(8, "")
			.bind(9, 30.0)
			.bind(10, UUID.randomUUID()));
	}

	private static Mono<String> plan(DatabaseClient.GenericExecuteSpec explain) {
		return explain.map((row) -> row.get(0, String.class)).all().collect(Collectors.joining("\n"));
	}

	/**
	 * The table is a queue: without autovacuum it only grows, so the operator's endpoint
	 * says whether it runs, either way (the server's setting is flipped for a moment and
	 * reset: a machine's configuration may have it either way).
	 */
	@Test
	void theOperatorsEndpointSaysWhetherPostgresqlsAutovacuumRuns() {
		WebTestClient operator = this.http.mutate()
			.defaultHeader("Authorization", "Bearer " + Tokens.forOperator("ops"))
			.build();
		boolean configured = autovacuum();
		try {
			for (boolean expected : List.of(configured, !configured)) {
				this.db.sql("ALTER SYSTEM SET autovacuum = " + (expected ? "on" : "off")).then().block();
				this.db.sql("SELECT pg_reload_conf()").then().block();
				// each connection of the pool reads the reloaded file before its next
				// statement
				await().untilAsserted(() -> operator.get()
					.uri("/actuator/outbox")
					.exchange()
					.expectStatus()
					.isOk()
					.expectBody()
					.jsonPath("$.autovacuum")
					.isEqualTo(expected));
			}
		}
		finally {
			this.db.sql("ALTER SYSTEM RESET autovacuum").then().block();
			this.db.sql("SELECT pg_reload_conf()").then().block();
		}
	}

	private boolean autovacuum() {
		return "on".equals(this.db.sql("SHOW autovacuum").map((row) -> row.get(0, String.class)).one().block());
	}

	@Test
	void anEventTheSidecarCannotMakeACloudEventOfIsParkedAndItsTasksLaterEventsGoOn(CapturedOutput output) {
		// 500 ERR_PUBSUB_CLOUD_EVENTS_SER: no retry helps, though the status is 5xx
		SIDECAR.refuseAsNoCloudEvent("task.created"::equals);
		String id = this.user.createTask(Map.of("title", "Refused at birth"));
		this.user.patch()
			.uri("/api/tasks/{id}", id)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"title\":\"Renamed\"}")
			.exchange()
			.expectStatus()
			.isOk();

		await().until(() -> rowsOf(id).stream()
			.anyMatch((row) -> "task.created".equals(row.get("event_type")) && row.get("parked_at") != null));
		// the others were delivered, and their rows deleted
		await().until(() -> rowsOf(id).stream().allMatch((row) -> "task.created".equals(row.get("event_type"))));
		assertThat(SIDECAR.delivered()).extracting((event) -> event.event().get("type").stringValue())
			.containsExactlyInAnyOrder("sync.task", "task.updated", "sync.task");
		assertThat(output.getOut()).contains("Outbox event parked").contains("ERR_PUBSUB_CLOUD_EVENTS_SER");
		// the table is shared by this class's tests, which count what is parked
		this.db.sql("DELETE FROM event_outbox WHERE task_id = :task").bind("task", UUID.fromString(id)).then().block();
	}

	@Test
	void aCommitWakesThisProcesssRelayWithoutNotifyingTheOthers() {
		List<String> heard = new CopyOnWriteArrayList<>();
		Connection listener = Mono.from(this.connections.create()).block(Duration.ofSeconds(60));
		try {
			PostgresqlConnection postgres = postgresOf(listener);
			Flux.from(postgres.createStatement("LISTEN " + OutboxStore.CHANNEL).execute())
				.flatMap((result) -> result.getRowsUpdated())
				.blockLast(Duration.ofSeconds(60));
			Disposable listening = postgres.getNotifications()
				.subscribe((notification) -> heard.add(String.valueOf(notification.getParameter())));
			try {
				this.user.createTask(Map.of("title", "Quiet"));
				await().until(() -> SIDECAR.delivered().size() == 2);
				// a notification sent now is heard: the silence before it means something
				this.db.sql("SELECT pg_notify('" + OutboxStore.CHANNEL + "', 'probe')").then().block();
				await().until(() -> heard.contains("probe"));
				assertThat(heard).containsExactly("probe");
			}
			finally {
				listening.dispose();
			}
		}
		finally {
			Mono.from(listener.close()).block(Duration.ofSeconds(60));
		}
	}

	private static PostgresqlConnection postgresOf(Connection connection) {
		Object candidate = connection;
		while (!(candidate instanceof PostgresqlConnection) && candidate instanceof Wrapped<?> wrapped) {
			candidate = wrapped.unwrap();
		}
		return (PostgresqlConnection) candidate;
	}

	/**
	 * While the sidecar does not answer, the relay holds its tasks by a claim, not by a
	 * transaction, both a task sent from memory at its commit and one a round claimed: no
	 * session sits idle in a transaction, the rows are not locked, and another relay
	 * claims other tasks but not these.
	 */
	@Test
	void aStalledSidecarKeepsNoTransactionOpenAndNoRowLockedOnlyTheTasksClaim() {
		SIDECAR.stall(true);
		UUID stalled = UUID.fromString(this.user.createTask(Map.of("title", "Stalled")));
		// written as another process's relay would leave it: a round of this one takes it
		UUID byRound = UUID.randomUUID();
		insertPending(byRound).block();
		UUID other = UUID.randomUUID();
		try {
			await().until(() -> SIDECAR.arrivals().size() >= 3);
			// a transaction held across the stall would be idle in it from the claim on
			for (int look = 0; look < 4; look++) {
				assertThat(this.db.sql("""
						SELECT count(*) AS sessions FROM pg_stat_activity
						WHERE datname = current_database() AND state LIKE 'idle in transaction%'
						  AND state_change < statement_timestamp() - interval '1 second'""")
					.map((row) -> row.get("sessions", Long.class))
					.one()
					.block()).as("sessions idle in a transaction for over a second").isZero();
				sleep(Duration.ofMillis(500));
			}
			assertThat(this.db.sql("SELECT id FROM event_outbox WHERE task_id = ANY(:tasks) FOR UPDATE NOWAIT")
				.bind("tasks", new UUID[] { stalled, byRound })
				.fetch()
				.all()
				.collectList()
				.block()).as("the stalled tasks' rows, not locked").hasSize(3);

			assertThat(headOf(stalled).get("claimed_until")).as("claimed").isNotNull();
			assertThat(headOf(byRound).get("claimed_until")).as("claimed").isNotNull();
			// written in the other relay's transaction, so that only that relay can see
			// it
			List<UUID> claimedByAnother = insertPending(other)
				.then(this.store.claim(UUID.randomUUID(), 100, Duration.ofSeconds(30)))
				.as(this.transaction::transactional)
				.block()
				.stream()
				.map(OutboxStore.Claimed::taskId)
				.toList();
			assertThat(claimedByAnother).contains(other).doesNotContain(stalled, byRound);
		}
		finally {
			// nothing of this test is sent after it: the rows go before the stall ends
			this.db.sql("DELETE FROM event_outbox WHERE task_id = ANY(:tasks)")
				.bind("tasks", new UUID[] { stalled, byRound, other })
				.then()
				.block();
			SIDECAR.stall(false);
		}
	}

	/** One pending event of {@code task}, unclaimed: a round's to take. */
	private Mono<Void> insertPending(UUID task) {
		return this.db.sql("""
				INSERT INTO event_outbox (event_id, task_id, sequence, event_type, binding, payload)
				VALUES (gen_random_uuid(), :task, 1, 'task.created', 'task-events',
				        convert_to(json_build_object('specversion', '1.0', 'id', gen_random_uuid(),
				                   'source', 'pakaura/api', 'type', 'task.created')::text, 'UTF8'))""")
			.bind("task", task)
			.then();
	}

	/**
	 * A round whose claim another relay took (after a lapse) starts no further change of
	 * the task: its renewal finds the claim gone and its lease runs out, although the
	 * change under way still ends.
	 */
	@Test
	void aRoundWhoseClaimAnotherRelayTookStartsNoFurtherChangeOfTheTask() {
		// each request takes 8 s: the first change outlives the 3 s lease. The second
		// change is not due, so no later round claims it: only this round's line could
		// send it, as its second change.
		SIDECAR.latency(Duration.ofSeconds(8), Duration.ofSeconds(8));
		UUID task = UUID.randomUUID();
		this.db.sql("""
				INSERT INTO event_outbox (event_id, task_id, sequence, event_type, binding, payload, next_attempt_at)
				SELECT id, :task, n, 'task.updated', 'task-events',
				       convert_to(json_build_object('specversion', '1.0', 'id', id, 'source', 'pakaura/api',
				                  'type', 'task.updated', 'datacontenttype', 'application/json',
				                  'data', json_build_object('n', n))::text, 'UTF8'),
				       statement_timestamp() + CASE WHEN n = 2 THEN interval '1 hour' ELSE interval '0' END
				FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, 2) AS n) AS events""")
			.bind("task", task)
			.then()
			.block();
		try {
			await().until(() -> SIDECAR.arrivals().size() == 1);
			this.db.sql("""
					UPDATE event_outbox SET claimed_by = gen_random_uuid(),
					  claimed_until = statement_timestamp() + interval '1 hour'
					WHERE task_id = :task AND sequence = 1""").bind("task", task).then().block();
			// the first change is answered after 8 s; the second would follow at once
			await().during(Duration.ofSeconds(11))
				.atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(SIDECAR.arrivals()).as("requests to the sidecar").hasSize(1));
		}
		finally {
			this.db.sql("DELETE FROM event_outbox WHERE task_id = :task").bind("task", task).then().block();
		}
	}

	private Map<String, Object> headOf(UUID task) {
		return this.db.sql("SELECT * FROM event_outbox WHERE task_id = :task ORDER BY id LIMIT 1")
			.bind("task", task)
			.fetch()
			.one()
			.block();
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void deliveredRowsArePurgedAfterTheRetentionAndNothingElse() {
		UUID task = UUID.randomUUID();
		this.db
			.sql("""
					INSERT INTO event_outbox (event_id, task_id, sequence, event_type, binding, payload, delivered_at, created_at,
					                          next_attempt_at)
					VALUES (gen_random_uuid(), :task, 1, 'task.created', 'task-events', '\\x7b7d'::bytea,
					        now() - interval '2 hours', now() - interval '2 hours', now()),
					       (gen_random_uuid(), :task, 2, 'task.updated', 'task-events', '\\x7b7d'::bytea,
					        now() - interval '10 minutes', now() - interval '10 minutes', now()),
					       (gen_random_uuid(), :task, 3, 'task.updated', 'task-events', '\\x7b7d'::bytea,
					        NULL, now() - interval '3 hours', now() + interval '1 day')""")
			.bind("task", task)
			.then()
			.block();
		// a purge that takes longer than its interval (here it waits for a row lock)
		// holds back the next, and never ends the purging
		this.db.sql("SELECT id FROM event_outbox WHERE task_id = :task AND sequence = 1 FOR UPDATE")
			.bind("task", task)
			.then()
			.then(Mono.delay(Duration.ofMillis(1500)))
			.as(this.transaction::transactional)
			.block();
		// the old pending row stays, whatever its age; so does the recently delivered one
		await().until(() -> rowsOf(task.toString()).size() == 2);
		assertThat(rowsOf(task.toString())).extracting((row) -> row.get("sequence")).containsExactly(2L, 3L);
		this.db.sql("DELETE FROM event_outbox WHERE task_id = :task").bind("task", task).then().block();
	}

	@Test
	void theRelaysQueryStaysAnIndexScanAtAMillionPendingRows() {
		List<String> plan = this.db
			.inConnectionMany((connection) -> Flux.from(connection.beginTransaction())
				.thenMany(Flux.from(connection
					.createStatement(
							"""
									INSERT INTO event_outbox (event_id, task_id, sequence, event_type, binding, payload)
									SELECT gen_random_uuid(), ('00000000-0000-4000-8000-' || lpad(to_hex(n % 200000), 12, '0'))::uuid,
									       n / 200000 + 1, 'task.updated', 'task-events', '\\x7b7d'::bytea
									FROM generate_series(1, 1000000) AS n""")
					.execute()).flatMap((result) -> result.getRowsUpdated()))
				.thenMany(Flux
					.from(connection.createStatement("ANALYZE event_outbox").execute())
					.flatMap((result) -> result.getRowsUpdated()))
				.thenMany(Flux.from(connection
					.createStatement("EXPLAIN " + OutboxStore.CLAIM.replace(":limit", "32")
						.replace(":lease", "30")
						.replace(":relay", "gen_random_uuid()"))
					.execute()).flatMap((result) -> result.map((row) -> row.get(0, String.class))))
				.collectList()
				.flatMapMany((lines) -> Flux.from(connection.rollbackTransaction()).thenMany(Flux.fromIterable(lines))))
			.collectList()
			.block(Duration.ofMinutes(5));
		String explained = String.join("\n", plan);
		assertThat(explained).as(explained).contains("event_outbox_pending").doesNotContain("Seq Scan on event_outbox");
	}

	private List<Map<String, Object>> rowsOf(String taskId) {
		return this.db.sql("SELECT * FROM event_outbox WHERE task_id = :task ORDER BY id")
			.bind("task", UUID.fromString(taskId))
			.fetch()
			.all()
			.collectList()
			.block();
	}

}
