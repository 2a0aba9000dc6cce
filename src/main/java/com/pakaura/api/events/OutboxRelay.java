package com.pakaura.api.events;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Wrapped;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.cloud.stream.config.BindingServiceProperties;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.SmartLifecycle;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.pakaura.api.correlation.RequestTrace;
import com.pakaura.binder.dapr.DaprPublishResult;
import com.pakaura.binder.dapr.DaprPublishResult.Verdict;

/**
 * Sends what {@link OutboxEventWriter} wrote, through the same bindings and binder as
 * fire-and-forget, until the sidecar takes it.
 *
 * <ul>
 * <li>One owner per task: a round locks the oldest pending row of up to
 * {@code batch-size} tasks ({@code FOR UPDATE SKIP LOCKED}), so another relay, in this
 * process or another, skips those tasks until the round commits. It then sends each
 * task's pending events one at a time, in order, stopping at the first that fails; tasks
 * go in parallel.</li>
 * <li>Done only on the sidecar's 2xx, as the binder confirms it
 * ({@link DaprPublishResult}); the CloudEvent {@code id} never changes, so a retry is a
 * duplicate at worst.</li>
 * <li>Retries with exponential backoff and jitter. A refusal no retry can change (the
 * binder's {@link Verdict#PERMANENT}: 4xx, too large, no CloudEvent) parks the event
 * after {@code park-after-attempts}: logged at ERROR, counted, kept for an operator; the
 * task's later events go on. A head that keeps failing holds back only its task.</li>
 * <li>Woken by a commit in this process or a PostgreSQL notification from another;
 * polling is only the safety net.</li>
 * <li>On stop it starts no new round and lets the one under way finish: what is not sent
 * stays in the table.</li>
 * </ul>
 */
@Component
@ConditionalOnProperty(name = "pakaura.events.delivery", havingValue = "outbox")
class OutboxRelay implements SmartLifecycle {

	static final String METRIC = "pakaura.outbox.sent";

	/** Observes each event's trip from the outbox to the binder's confirmation. */
	static final String RELAY_OBSERVATION = "pakaura.outbox.relay";

	private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

	private static final Duration STOP_TIMEOUT = DeliveryDrains.RELAY;

	/** A task's events sent in one round at most: the rest wait for the next round. */
	private static final int EVENTS_PER_TASK = 16;

	private static final String COLUMNS = "id, event_id, task_id, sequence, event_type, binding, payload, correlation_id,"
			+ " traceparent, tracestate, attempts";

	/**
	 * The oldest due row of each task that has no earlier pending row, oldest first; rows
	 * locked by another round are skipped, and with them their task.
	 */
	static final String CLAIM_HEADS = """
			SELECT %s FROM event_outbox o
			WHERE o.delivered_at IS NULL AND o.parked_at IS NULL AND o.next_attempt_at <= statement_timestamp()
			  AND NOT EXISTS (SELECT 1 FROM event_outbox e WHERE e.task_id = o.task_id AND e.id < o.id
			                  AND e.delivered_at IS NULL AND e.parked_at IS NULL)
			ORDER BY o.id
			LIMIT :limit
			FOR UPDATE OF o SKIP LOCKED""".formatted(COLUMNS);

	/** The pending events of the claimed tasks, in each task's order. */
	private static final String LINES = """
			SELECT %s FROM (
			  SELECT o.*, row_number() OVER (PARTITION BY o.task_id ORDER BY o.id) AS place FROM event_outbox o
			  WHERE o.task_id = ANY(:tasks) AND o.delivered_at IS NULL AND o.parked_at IS NULL) AS line
			WHERE place <= :perTask
			ORDER BY task_id, id""".formatted(COLUMNS);

	private final DatabaseClient db;

	private final TransactionalOperator transaction;

	private final StreamBridge streamBridge;

	private final BindingServiceProperties bindings;

	private final ConnectionFactory connections;

	private final EventsProperties.Outbox settings;

	private final MeterRegistry meters;

	private final ObservationRegistry observations;

	private final Sinks.Many<Boolean> wakes = Sinks.many().multicast().directBestEffort();

	private final AtomicBoolean roundUnderWay = new AtomicBoolean();

	private final AtomicLong pending = new AtomicLong();

	private final AtomicLong oldestPendingSeconds = new AtomicLong();

	private final AtomicLong parked = new AtomicLong();

	private final Timer deliveryLag;

	private volatile boolean running;

	private final List<Disposable> loops = new ArrayList<>();

	OutboxRelay(DatabaseClient db, TransactionalOperator transaction, StreamBridge streamBridge,
			BindingServiceProperties bindings, ConnectionFactory connections, EventsProperties properties,
			MeterRegistry meters, ObservationRegistry observations) {
		this.db = db;
		this.transaction = transaction;
		this.streamBridge = streamBridge;
		this.bindings = bindings;
		this.connections = connections;
		this.settings = properties.outbox();
		this.meters = meters;
		this.observations = observations;
		Gauge.builder("pakaura.outbox.pending", this.pending, AtomicLong::get)
			.description("Events in the outbox not yet delivered or parked")
			.register(meters);
		Gauge.builder("pakaura.outbox.oldest.pending.age", this.oldestPendingSeconds, AtomicLong::get)
			.description("Age in seconds of the oldest event not yet delivered or parked")
			.baseUnit("seconds")
			.register(meters);
		Gauge.builder("pakaura.outbox.parked", this.parked, AtomicLong::get)
			.description("Events set aside after permanent refusals, waiting for an operator")
			.register(meters);
		for (String outcome : List.of("delivered", "retried", "parked")) {
			sent(outcome);
		}
		this.deliveryLag = Timer.builder("pakaura.outbox.delivery.lag")
			.description(
					"From the change's transaction to its event's delivery to the sidecar, as the relay records it")
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofMillis(1))
			.maximumExpectedValue(Duration.ofMinutes(10))
			.register(meters);
	}

	private Counter sent(String outcome) {
		return Counter.builder(METRIC)
			.tag("outcome", outcome)
			.description("Outbox events by what the relay did with them: delivered, retried later, or parked")
			.register(this.meters);
	}

	/**
	 * What the last look at the table found: pending, the oldest pending's age in
	 * seconds, parked.
	 */
	Map<String, Long> state() {
		return Map.of("pending", this.pending.get(), "oldest_pending_seconds", this.oldestPendingSeconds.get(),
				"parked", this.parked.get());
	}

	/** A commit in this process wrote rows: look now rather than at the next poll. */
	void wake() {
		this.wakes.tryEmitNext(Boolean.TRUE);
	}

	@Override
	public void start() {
		this.running = true;
		this.loops.add(Flux
			.merge(this.wakes.asFlux(), Flux.interval(Duration.ZERO, this.settings.pollInterval()), notifications())
			.onBackpressureLatest()
			.concatMap((signal) -> drain().onErrorResume((ex) -> {
				log.warn("Outbox relay round failed; it goes on at the next signal: {}", ex.toString());
				return Mono.empty();
			}), 1)
			.subscribe());
		this.loops.add(Flux.interval(Duration.ZERO, Duration.ofSeconds(5))
			.concatMap((tick) -> refreshGauges().onErrorResume((ex) -> Mono.empty()), 1)
			.subscribe());
		this.loops.add(Flux.interval(this.settings.purgeInterval())
			.concatMap((tick) -> purge().onErrorResume((ex) -> Mono.empty()), 1)
			.subscribe());
	}

	/** Rounds until one finds nothing to do. */
	private Mono<Void> drain() {
		if (!this.running) {
			return Mono.empty();
		}
		return Mono.defer(this::round).flatMap((sent) -> (sent > 0) ? drain() : Mono.empty());
	}

	/**
	 * One round in one transaction: claim, send in order, record. How many events it
	 * sent.
	 */
	private Mono<Integer> round() {
		if (!this.running || !this.roundUnderWay.compareAndSet(false, true)) {
			return Mono.just(0);
		}
		return this.db.sql(CLAIM_HEADS)
			.bind("limit", this.settings.batchSize())
			.map(OutboxRelay::rowOf)
			.all()
			.collectList()
			.flatMap((heads) -> heads.isEmpty() ? Mono.just(0) : sendLines(heads))
			.as(this.transaction::transactional)
			.doFinally((signal) -> this.roundUnderWay.set(false));
	}

	private Mono<Integer> sendLines(List<Row> heads) {
		UUID[] tasks = heads.stream().map(Row::taskId).distinct().toArray(UUID[]::new);
		return this.db.sql(LINES)
			.bind("tasks", tasks)
			.bind("perTask", EVENTS_PER_TASK)
			.map(OutboxRelay::rowOf)
			.all()
			.collectList()
			.flatMap((rows) -> {
				Map<UUID, List<Row>> lines = new LinkedHashMap<>();
				rows.forEach((row) -> lines.computeIfAbsent(row.taskId(), (task) -> new ArrayList<>()).add(row));
				return Flux.fromIterable(lines.values())
					.flatMap(this::sendInOrder, Math.max(1, lines.size()))
					.collectList()
					.flatMap((sent) -> record(sent).thenReturn(sent.size()));
			});
	}

	/**
	 * A task's events in order, one change at a time: the events of one change go to
	 * different topics, so they go together, and the next change's only once all of them
	 * are published. A change with an event not published ends its task's line for this
	 * round, so no topic gets a later event of the task before an earlier one.
	 */
	private Flux<Sent> sendInOrder(List<Row> line) {
		return Flux.fromIterable(changesOf(line))
			.concatMap((change) -> Flux.fromIterable(change)
				.flatMap((row) -> send(row).map((result) -> new Sent(row, result)))
				.collectList())
			.takeUntil((change) -> !change.stream().allMatch((sent) -> done(sent.result())))
			.flatMapIterable((change) -> change);
	}

	/**
	 * The line cut where the sequence changes, or where a binding would come twice (one
	 * event per topic at a time).
	 */
	static List<List<Row>> changesOf(List<Row> line) {
		List<List<Row>> changes = new ArrayList<>();
		List<Row> change = new ArrayList<>();
		for (Row row : line) {
			boolean sameChange = !change.isEmpty() && change.get(0).sequence() == row.sequence()
					&& change.stream().noneMatch((earlier) -> earlier.binding().equals(row.binding()));
			if (!change.isEmpty() && !sameChange) {
				changes.add(change);
				change = new ArrayList<>();
			}
			change.add(row);
		}
		if (!change.isEmpty()) {
			changes.add(change);
		}
		return changes;
	}

	private Mono<DaprPublishResult> send(Row row) {
		CompletableFuture<DaprPublishResult> confirmation = new CompletableFuture<>();
		MessageBuilder<byte[]> message = CloudEventEnvelopes
			.message(row.payload(), row.taskId().toString(), row.correlationId(), row.traceparent(), row.tracestate())
			.setHeader(DaprPublishResult.CONFIRMATION_HEADER, confirmation);
		Observation relay = relayObservation(row).start();
		try (Observation.Scope scope = relay.openScope()) {
			if (!this.streamBridge.send(row.binding(), message.build())) {
				relay.stop();
				return Mono.just(new DaprPublishResult("not_accepted", Verdict.RETRYABLE, 0, null,
						"the binding did not accept the message"));
			}
		}
		catch (RuntimeException ex) {
			relay.error(ex);
			relay.stop();
			return Mono.just(new DaprPublishResult("not_accepted", Verdict.RETRYABLE, 0, null, ex.toString()));
		}
		if (!confirms(row.binding())) {
			// a binder that does not confirm took it synchronously: that is all it will
			// say
			confirmation.complete(new DaprPublishResult("success", Verdict.PUBLISHED, 0, null, null));
		}
		return Mono.fromFuture(confirmation, true)
			.timeout(this.settings.confirmTimeout(),
					Mono.just(new DaprPublishResult("unknown", Verdict.RETRYABLE, 0, null,
							"the binder did not confirm in time")))
			.doOnNext((result) -> relay.lowCardinalityKeyValue("outcome", result.outcome()))
			.doFinally((signal) -> relay.stop());
	}

	/**
	 * The relay's observation of one event, from hand-over to the binder's confirmation:
	 * a consumer of the outbox that continues the trace of the request that wrote the
	 * event (its stored {@code traceparent}), so the binder's request to the sidecar,
	 * observed as its child, joins that trace.
	 */
	private Observation relayObservation(Row row) {
		ReceiverContext<Row> context = new ReceiverContext<>((carrier, key) -> switch (key) {
			case RequestTrace.TRACEPARENT -> carrier.traceparent();
			case RequestTrace.TRACESTATE -> carrier.tracestate();
			default -> null;
		});
		context.setCarrier(row);
		return Observation.createNotStarted(RELAY_OBSERVATION, () -> context, this.observations)
			.contextualName("outbox relay " + row.binding())
			.lowCardinalityKeyValue("binding", row.binding());
	}

	/** Whether the binding's binder confirms sends: the dapr binder does. */
	private boolean confirms(String binding) {
		String binder = this.bindings.getBinder(binding);
		return "dapr".equals((binder != null) ? binder : this.bindings.getDefaultBinder());
	}

	/**
	 * Published, or nothing will ever leave (the binder is disabled): the row is done.
	 */
	private static boolean done(DaprPublishResult result) {
		return result.published() || result.verdict() == Verdict.DISABLED;
	}

	/** One statement for the delivered rows, one per failed row. */
	private Mono<Void> record(List<Sent> sent) {
		Long[] delivered = sent.stream()
			.filter((one) -> done(one.result()))
			.map((one) -> one.row().id())
			.toArray(Long[]::new);
		// the lag in the database's own clock, which also wrote created_at
		Mono<Void> deliveries = (delivered.length == 0) ? Mono.empty()
				: this.db
					.sql("UPDATE event_outbox SET delivered_at = statement_timestamp(), attempts = attempts + 1,"
							+ " last_error = NULL WHERE id = ANY(:ids)"
							+ " RETURNING EXTRACT(EPOCH FROM statement_timestamp() - created_at)::float8 AS lag")
					.bind("ids", delivered)
					.map((row) -> row.get("lag", Double.class))
					.all()
					.doOnNext((lag) -> this.deliveryLag.record(Duration.ofNanos((long) (lag * 1e9))))
					.then()
					.doOnSuccess((done) -> sent("delivered").increment(delivered.length));
		return deliveries.thenMany(Flux.fromIterable(sent).filter((one) -> !done(one.result())))
			.concatMap((failed) -> recordFailure(failed.row(), failed.result()))
			.then();
	}

	private Mono<Void> recordFailure(Row row, DaprPublishResult result) {
		int attempts = row.attempts() + 1;
		boolean park = result.permanent() && attempts >= this.settings.parkAfterAttempts();
		String error = result.outcome() + ((result.status() != 0) ? " " + result.status() : "")
				+ ((result.errorCode() != null) ? " " + result.errorCode() : "")
				+ ((result.message() != null) ? ": " + result.message() : "");
		if (park) {
			sent("parked").increment();
			log.atError()
				.addKeyValue("event_id", row.eventId())
				.addKeyValue("event_type", row.eventType())
				.addKeyValue("task_id", row.taskId())
				.addKeyValue("attempts", attempts)
				.addKeyValue("reason", error)
				.log("Outbox event parked: the sidecar refuses it for good; resubmit it once the cause is fixed");
		}
		else {
			sent("retried").increment();
		}
		return this.db.sql("""
				UPDATE event_outbox SET attempts = :attempts, last_error = :error,
				  next_attempt_at = statement_timestamp() + make_interval(secs => :delay),
				  parked_at = CASE WHEN :park THEN statement_timestamp() END
				WHERE id = :id""")
			.bind("attempts", attempts)
			.bind("error", error)
			.bind("delay", backoff(attempts).toMillis() / 1000.0)
			.bind("park", park)
			.bind("id", row.id())
			.then();
	}

	/**
	 * Exponential, capped, with jitter: between half and all of base * 2^(attempts-1).
	 */
	private Duration backoff(int attempts) {
		long base = this.settings.retryBackoff().toMillis();
		long max = this.settings.maxRetryBackoff().toMillis();
		long exponential = (attempts >= 31) ? max : Math.min(max, base << Math.max(0, attempts - 1));
		return Duration.ofMillis(ThreadLocalRandom.current().nextLong(exponential / 2, exponential + 1));
	}

	private Mono<Void> refreshGauges() {
		return counts().doOnNext((counts) -> {
			this.pending.set(counts.pending());
			this.parked.set(counts.parked());
			this.oldestPendingSeconds.set(counts.oldestPendingAge().toSeconds());
		}).then();
	}

	/**
	 * One look at the table, for the gauges and for operators ({@link OutboxEndpoint}).
	 */
	Mono<Counts> counts() {
		return this.db.sql("""
				SELECT count(*) FILTER (WHERE delivered_at IS NULL AND parked_at IS NULL) AS pending,
				       count(*) FILTER (WHERE parked_at IS NOT NULL) AS parked,
				       min(created_at) FILTER (WHERE delivered_at IS NULL AND parked_at IS NULL) AS oldest_pending,
				       statement_timestamp() AS now
				FROM event_outbox WHERE delivered_at IS NULL""")
			.map((row) -> new Counts(row.get("pending", Long.class), row.get("parked", Long.class),
					row.get("oldest_pending", Instant.class), row.get("now", Instant.class)))
			.one();
	}

	/**
	 * @param oldestPending when the oldest waiting event was written; {@code null} when
	 * none waits
	 * @param now the database's clock, which wrote it
	 */
	record Counts(long pending, long parked, @Nullable Instant oldestPending, Instant now) {

		Duration oldestPendingAge() {
			return (this.oldestPending != null) ? Duration.between(this.oldestPending, this.now) : Duration.ZERO;
		}

	}

	private Mono<Void> purge() {
		return this.db
			.sql("""
					DELETE FROM event_outbox WHERE id IN (
					  SELECT id FROM event_outbox WHERE delivered_at < statement_timestamp() - make_interval(secs => :retention)
					  LIMIT 10000)""")
			.bind("retention", (double) this.settings.retention().toSeconds())
			.fetch()
			.rowsUpdated()
			.doOnNext((purged) -> log.atDebug().addKeyValue("rows", purged).log("Delivered outbox rows purged"))
			.then();
	}

	/**
	 * Wakes on another process's commits: {@code LISTEN} on a connection of its own.
	 * Reconnects with backoff when it is lost; polling covers the gap.
	 */
	private Flux<Boolean> notifications() {
		return Flux.usingWhen(Mono.from(this.connections.create()), (connection) -> {
			PostgresqlConnection postgres = postgresOf(connection);
			if (postgres == null) {
				return Flux.<Boolean>never();
			}
			return postgres.createStatement("LISTEN " + OutboxEventWriter.CHANNEL)
				.execute()
				.flatMap((result) -> result.getRowsUpdated())
				.thenMany(postgres.getNotifications().map((notification) -> Boolean.TRUE));
		}, Connection::close)
			.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1)).maxBackoff(Duration.ofSeconds(30)));
	}

	private static @Nullable PostgresqlConnection postgresOf(Connection connection) {
		Object candidate = connection;
		while (!(candidate instanceof PostgresqlConnection) && candidate instanceof Wrapped<?> wrapped) {
			candidate = wrapped.unwrap();
		}
		return (candidate instanceof PostgresqlConnection postgres) ? postgres : null;
	}

	/**
	 * Starts no new round and lets the one under way end; what is left stays in the
	 * table.
	 */
	@Override
	public void stop() {
		this.running = false;
		long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
		while (this.roundUnderWay.get() && System.nanoTime() < deadline) {
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		this.loops.forEach(Disposable::dispose);
		this.loops.clear();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * After the web server has stopped taking requests, before the output bindings stop.
	 */
	@Override
	public int getPhase() {
		return 0;
	}

	private static Row rowOf(Readable row) {
		ByteBuffer payload = row.get("payload", ByteBuffer.class);
		byte[] bytes = new byte[payload.remaining()];
		payload.get(bytes);
		return new Row(row.get("id", Long.class), row.get("event_id", UUID.class), row.get("task_id", UUID.class),
				row.get("sequence", Long.class), row.get("event_type", String.class), row.get("binding", String.class),
				bytes, row.get("correlation_id", String.class), row.get("traceparent", String.class),
				row.get("tracestate", String.class), row.get("attempts", Integer.class));
	}

	/** One outbox row as the relay needs it. */
	record Row(long id, UUID eventId, UUID taskId, long sequence, String eventType, String binding, byte[] payload,
			@Nullable String correlationId, @Nullable String traceparent, @Nullable String tracestate, int attempts) {

	}

	private record Sent(Row row, DaprPublishResult result) {

	}

}
