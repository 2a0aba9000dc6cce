package com.pakaura.api.events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.context.SmartLifecycle;

import com.pakaura.api.correlation.RequestTrace;
import com.pakaura.api.events.OutboxStore.Claimed;
import com.pakaura.api.events.OutboxStore.Counts;
import com.pakaura.api.events.OutboxStore.Failure;
import com.pakaura.api.events.OutboxStore.Row;
import com.pakaura.api.events.OutboxStore.WriteClaim;

/**
 * Sends what {@link OutboxEventWriter} wrote, through the same bindings and binder as
 * fire-and-forget, until the sidecar takes it. The SQL is {@link OutboxStore}'s, the
 * recording of outcomes {@link OutboxRecorder}'s; this keeps the sending, the loop, the
 * backoff and the lifecycle.
 *
 * <ul>
 * <li>The common case reads nothing back: a change with no earlier change of its task
 * pending is written already claimed for this relay and handed to it at the commit, and
 * sent from memory. Rounds take the rest: rows behind a pending change, retries, and what
 * a relay that stopped or died left.</li>
 * <li>One owner per task: a round claims the oldest pending row of up to
 * {@code batch-size} tasks for {@code claim-lease}, so another relay, in this process or
 * another, skips those tasks until the round gives them back. No transaction is open
 * while the sidecar answers: the claim is one statement, the outcomes and the release one
 * short statement or transaction, shared with whatever else is ready to be recorded.
 * Claims under way are renewed every third of the lease, and no change of a task starts
 * once its lease may have run out.</li>
 * <li>A round sends each task's pending events one change at a time, in order, stopping
 * at the first change not published; tasks go in parallel.</li>
 * <li>Done only on the sidecar's 2xx, as the binder confirms it ({@link BinderSends});
 * the CloudEvent {@code id} never changes, so a retry is a duplicate at worst.</li>
 * <li>Retries with exponential backoff and jitter. A refusal no retry can change (the
 * binder's {@link SendResult.Verdict#PERMANENT}: 4xx, too large, no CloudEvent) parks the
 * event after {@code park-after-attempts}: logged at ERROR, counted, kept for an
 * operator; the task's later events go on. A head that keeps failing holds back only its
 * task.</li>
 * <li>Woken by a commit in this process or a PostgreSQL notification from another;
 * polling is only the safety net.</li>
 * <li>On stop it starts no new round and lets the one under way finish: what is not sent
 * stays in the table.</li>
 * </ul>
 */
class OutboxRelay implements SmartLifecycle {

	static final String METRIC = "pakaura.outbox.sent";

	/** Observes each event's trip from the outbox to the binder's confirmation. */
	static final String RELAY_OBSERVATION = "pakaura.outbox.relay";

	private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

	private static final Duration STOP_TIMEOUT = DeliveryDrains.RELAY;

	/** A task's events sent in one round at most: the rest wait for the next round. */
	private static final int EVENTS_PER_TASK = 16;

	/** A send the binder did not confirm within {@code confirm-timeout}. */
	private static final SendResult UNCONFIRMED = new SendResult(SendResult.Verdict.RETRYABLE, "unknown",
			"unknown: the binder did not confirm in time");

	/** Whose claims: this relay's, for as long as the process runs. */
	private final UUID relayId = UUID.randomUUID();

	private final OutboxStore store;

	private final BinderSends sends;

	private final EventsProperties.Outbox settings;

	private final MeterRegistry meters;

	private final ObservationRegistry observations;

	private final Sinks.Many<Boolean> wakes = Sinks.many().multicast().directBestEffort();

	private final AtomicInteger roundsUnderWay = new AtomicInteger();

	/** Work may wait that no round under way will see: start one when one ends. */
	private final AtomicBoolean signalled = new AtomicBoolean();

	private final AtomicLong pending = new AtomicLong();

	private final AtomicLong oldestPendingSeconds = new AtomicLong();

	private final AtomicLong parked = new AtomicLong();

	private final Counter handedOver;

	private final Timer deliveryLag;

	private final OutboxRecorder recorder;

	/** What the writer stores in the rows it claims for this relay. */
	private final WriteClaim writeClaim;

	/** The claims of the rounds and hand-overs under way, renewed together. */
	private final Set<Held> held = ConcurrentHashMap.newKeySet();

	private final AtomicInteger handOversUnderWay = new AtomicInteger();

	/** When a commit in this process last left rows to the rounds. */
	private volatile long leftToRoundsAt;

	private volatile boolean running;

	private final List<Disposable> loops = new ArrayList<>();

	OutboxRelay(OutboxStore store, BinderSends sends, EventsProperties properties, MeterRegistry meters,
			ObservationRegistry observations) {
		this.store = store;
		this.sends = sends;
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
		this.handedOver = Counter.builder("pakaura.outbox.handed.over")
			.description("Events handed to the relay at their commit and sent from memory, without a round"
					+ " reading them back from the table")
			.register(meters);
		this.deliveryLag = Timer.builder("pakaura.outbox.delivery.lag")
			.description("From the statement that wrote the event to the sidecar's 2xx for it, as the binder"
					+ " confirmed it to the relay")
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofMillis(1))
			.maximumExpectedValue(Duration.ofMinutes(10))
			.register(meters);
		this.writeClaim = new WriteClaim(this.relayId, this.settings.claimLease());
		this.recorder = new OutboxRecorder(store, this.relayId, this.settings.recordInterval(), sent("delivered"),
				this::wakeForRowsLeftBehind);
		this.leftToRoundsAt = System.nanoTime() - this.settings.pollInterval().toNanos() - 1;
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

	/**
	 * How the writer claims the rows of a change for this relay, from before it writes
	 * them; {@code null} once the relay has stopped: the rows are left to the rounds.
	 */
	@Nullable HandOver handOver() {
		return this.running ? new HandOver(this.writeClaim, new Lease(this.settings.claimLease())) : null;
	}

	/**
	 * Rows of a commit in this process, claimed for this relay as they were written: sent
	 * from memory, each task's in order, then recorded; no round reads them back. The
	 * writer claimed only rows with no earlier change of their task pending, so no other
	 * send of their task is under way, here or anywhere. Called from within the commit:
	 * it only starts the sends.
	 */
	void committed(List<Row> claimed, HandOver handOver) {
		if (claimed.isEmpty()) {
			return;
		}
		List<Long> ids = claimed.stream().map(Row::id).toList();
		if (!this.running) {
			// stopped since they were written: given back, for the next relay to take
			this.recorder.record(List.of(), List.of(), ids).onErrorResume((ex) -> Mono.empty()).subscribe();
			return;
		}
		this.handedOver.increment(claimed.size());
		Held claims = new Held(ids.toArray(Long[]::new), handOver.lease());
		this.held.add(claims);
		this.handOversUnderWay.incrementAndGet();
		sendLines(claimed, handOver.lease()).flatMap((sent) -> record(sent, ids)).doFinally((signal) -> {
			this.held.remove(claims);
			this.handOversUnderWay.decrementAndGet();
		})
			.subscribe(null, (ex) -> log.warn(
					"Outbox relay could not record a commit's sends; its rows go again once their claim has run out: {}",
					ex.toString()));
	}

	/**
	 * A commit in this process left rows to the rounds, behind an earlier change of their
	 * task that may still be on its way from memory.
	 */
	void committedBehind() {
		this.leftToRoundsAt = System.nanoTime();
		wake();
	}

	/**
	 * A change sent from memory was recorded: rows a recent commit left behind it can be
	 * claimed now, so look rather than wait for the poll.
	 */
	private void wakeForRowsLeftBehind() {
		if (System.nanoTime() - this.leftToRoundsAt <= this.settings.pollInterval().toNanos()) {
			wake();
		}
	}

	@Override
	public void start() {
		this.running = true;
		this.store.autovacuum()
			.filter((on) -> !on)
			.subscribe((off) -> log.warn("PostgreSQL's autovacuum is off: the outbox's delivered rows are never"
					+ " reclaimed, and its statements slow down as the table grows; turn it on (docs/operations.md)"),
					(ex) -> log.debug("Could not read PostgreSQL's autovacuum setting: {}", ex.toString()));
		this.loops.add(Flux.merge(this.wakes.asFlux(), Flux.interval(Duration.ZERO, this.settings.pollInterval()),
				this.store.notifications())
			.subscribe((signal) -> startRound()));
		// a tick that comes while the last look is still under way is dropped: interval
		// fails, and the loop ends for good, on a tick nobody asked for
		this.loops.add(Flux.interval(Duration.ZERO, Duration.ofSeconds(5))
			.onBackpressureDrop()
			.concatMap((tick) -> refreshGauges().onErrorResume((ex) -> Mono.empty()), 1)
			.subscribe());
		this.loops.add(Flux.interval(this.settings.purgeInterval())
			.onBackpressureDrop()
			.concatMap((tick) -> purge().onErrorResume((ex) -> Mono.empty()), 1)
			.subscribe());
		Duration renewEvery = this.settings.claimLease().dividedBy(3);
		this.loops.add(Flux.interval(renewEvery, renewEvery)
			.onBackpressureDrop()
			.concatMap((tick) -> renewClaims().onErrorResume((ex) -> Mono.empty()), 1)
			.subscribe());
	}

	/**
	 * Extends the claims under way; a lease is extended only while every one of its
	 * claims is still this relay's: one that another relay took (after a lapse) ends the
	 * lease where it stands.
	 */
	private Mono<Void> renewClaims() {
		List<Held> underWay = List.copyOf(this.held);
		if (underWay.isEmpty()) {
			return Mono.empty();
		}
		long asked = System.nanoTime();
		Long[] ids = underWay.stream().flatMap((claims) -> Arrays.stream(claims.ids())).distinct().toArray(Long[]::new);
		return this.store.renew(this.relayId, ids, this.settings.claimLease()).doOnNext((stillHeld) -> {
			for (Held claims : underWay) {
				if (stillHeld.containsAll(Arrays.asList(claims.ids()))) {
					claims.lease().renewedAt(asked);
				}
			}
		}).then();
	}

	/**
	 * Starts a round unless {@code parallel-rounds} are under way; then the first of them
	 * to end starts it. A round that claims a full batch starts another beside it, and
	 * one that sent anything starts the next when it ends, so a backlog is worked on by
	 * several rounds at once, and a quiet table by none.
	 */
	private void startRound() {
		this.signalled.set(true);
		while (this.running && this.signalled.get()) {
			int underWay = this.roundsUnderWay.get();
			if (underWay >= this.settings.parallelRounds()) {
				return;
			}
			if (this.roundsUnderWay.compareAndSet(underWay, underWay + 1)) {
				this.signalled.set(false);
				round().defaultIfEmpty(0).subscribe((sent) -> roundEnded(sent > 0), (ex) -> {
					log.warn("Outbox relay round failed; it goes on at the next signal: {}", ex.toString());
					roundEnded(false);
				});
				return;
			}
		}
	}

	private void roundEnded(boolean sentAny) {
		this.roundsUnderWay.decrementAndGet();
		if (sentAny || this.signalled.get()) {
			startRound();
		}
	}

	/**
	 * One round: claim, send in order, record and give back. How many events it tried.
	 */
	private Mono<Integer> round() {
		Lease lease = new Lease(this.settings.claimLease());
		return this.store.claim(this.relayId, this.settings.batchSize(), this.settings.claimLease())
			.flatMap((claimed) -> {
				if (claimed.isEmpty()) {
					return Mono.just(0);
				}
				if (claimed.size() == this.settings.batchSize()) {
					// a full batch: more is likely waiting
					startRound();
				}
				return sendClaimed(claimed, lease);
			});
	}

	private Mono<Integer> sendClaimed(List<Claimed> claimed, Lease lease) {
		Long[] heads = claimed.stream().map(Claimed::head).toArray(Long[]::new);
		UUID[] tasks = claimed.stream().map(Claimed::taskId).toArray(UUID[]::new);
		Held claims = new Held(heads, lease);
		this.held.add(claims);
		return this.store.lines(tasks, EVENTS_PER_TASK)
			.flatMap((rows) -> sendLines(rows, lease))
			.flatMap((sent) -> record(sent, Arrays.asList(heads)).thenReturn(sent.size()))
			.doFinally((signal) -> this.held.remove(claims));
	}

	/** Each task's rows in order, the tasks side by side; what each send came to. */
	private Mono<List<Sent>> sendLines(List<Row> rows, Lease lease) {
		Map<UUID, List<Row>> lines = new LinkedHashMap<>();
		rows.forEach((row) -> lines.computeIfAbsent(row.taskId(), (task) -> new ArrayList<>()).add(row));
		return Flux.fromIterable(lines.values())
			.flatMap((line) -> sendInOrder(line, lease), Math.max(1, lines.size()))
			.collectList();
	}

	/**
	 * A task's events in order, one change at a time: the events of one change go to
	 * different topics, so they go together, and the next change's only once all of them
	 * are published. A change with an event not published ends its task's line for this
	 * round, so no topic gets a later event of the task before an earlier one; so does a
	 * lease that may have run out, since another relay may have the task by then.
	 */
	private Flux<Sent> sendInOrder(List<Row> line, Lease lease) {
		return Flux.fromIterable(changesOf(line))
			.concatMap((change) -> lease.held() ? sendChange(change) : Mono.<List<Sent>>empty())
			.takeUntil((change) -> !change.stream().allMatch((sent) -> sent.result().done()))
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

	/**
	 * One change's events, handed to the binder together and awaited together: one
	 * observation and one timer for the change, not one per event (per event, the two
	 * were a fifth of the relay's JFR samples, research.md R18). A send the binder has
	 * not confirmed in time counts as unknown, and goes again.
	 */
	private Mono<List<Sent>> sendChange(List<Row> change) {
		Observation relay = relayObservation(change).start();
		List<CompletableFuture<SendResult>> results = new ArrayList<>(change.size());
		try (Observation.Scope scope = relay.openScope()) {
			for (Row row : change) {
				results.add(this.sends.send(row.binding(), CloudEventEnvelopes.message(row.payload(),
						row.taskId().toString(), row.correlationId(), row.traceparent(), row.tracestate())));
			}
		}
		CompletableFuture<?> all = (results.size() == 1) ? results.get(0)
				: CompletableFuture.allOf(results.toArray(CompletableFuture[]::new));
		return Mono.fromFuture(all, true)
			.timeout(this.settings.confirmTimeout(), Mono.empty())
			.onErrorResume((ex) -> Mono.empty())
			.then(Mono.fromSupplier(() -> {
				long answered = System.nanoTime();
				List<Sent> sent = new ArrayList<>(change.size());
				for (int i = 0; i < change.size(); i++) {
					Sent one = new Sent(change.get(i), resultOf(results.get(i)));
					if (one.result().done()) {
						this.deliveryLag.record(answered - one.row().writtenAt(), TimeUnit.NANOSECONDS);
					}
					sent.add(one);
				}
				relay.lowCardinalityKeyValue("outcome", outcomeOf(sent));
				return sent;
			}))
			.doFinally((signal) -> relay.stop());
	}

	/** The send's result as it stands: unconfirmed while the binder has not said. */
	private static SendResult resultOf(CompletableFuture<SendResult> result) {
		try {
			return result.getNow(UNCONFIRMED);
		}
		catch (CompletionException | CancellationException ex) {
			// the binder completes confirmations, never fails them; should one fail, the
			// send is not known to be published
			return new SendResult(SendResult.Verdict.RETRYABLE, "unknown", "unknown: " + ex.getCause());
		}
	}

	/** The change's outcome: its first send not done, or success. */
	private static String outcomeOf(List<Sent> change) {
		return change.stream()
			.map(Sent::result)
			.filter((result) -> !result.done())
			.findFirst()
			.map(SendResult::outcome)
			.orElse(change.get(0).result().outcome());
	}

	/**
	 * The relay's observation of one change, from hand-over to the binder's confirmation
	 * of its last event: a consumer of the outbox that continues the trace of the request
	 * that wrote the change (its stored {@code traceparent}, the same for all its
	 * events), so the binder's requests to the sidecar, observed as its children, join
	 * that trace.
	 */
	private Observation relayObservation(List<Row> change) {
		Row first = change.get(0);
		ReceiverContext<Row> context = new ReceiverContext<>((carrier, key) -> switch (key) {
			case RequestTrace.TRACEPARENT -> carrier.traceparent();
			case RequestTrace.TRACESTATE -> carrier.tracestate();
			default -> null;
		});
		context.setCarrier(first);
		return Observation.createNotStarted(RELAY_OBSERVATION, () -> context, this.observations)
			.contextualName("outbox relay");
	}

	/**
	 * The sends' outcomes and the release of the claims, recorded with the other rounds'
	 * and hand-overs' that are ready at the same time.
	 */
	private Mono<Void> record(List<Sent> sent, List<Long> claims) {
		List<Long> delivered = sent.stream().filter((one) -> one.result().done()).map((one) -> one.row().id()).toList();
		List<Failure> failures = sent.stream()
			.filter((one) -> !one.result().done())
			.map((one) -> failure(one.row(), one.result()))
			.toList();
		return this.recorder.record(delivered, failures, claims);
	}

	private Failure failure(Row row, SendResult result) {
		int attempts = row.attempts() + 1;
		boolean park = result.verdict() == SendResult.Verdict.PERMANENT
				&& attempts >= this.settings.parkAfterAttempts();
		String error = result.description();
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
		return new Failure(row.id(), attempts, error, backoff(attempts), park);
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
		return this.store.counts();
	}

	private Mono<Void> purge() {
		return this.store.purge(this.settings.retention())
			.doOnNext((purged) -> log.atDebug().addKeyValue("rows", purged).log("Delivered outbox rows purged"))
			.then();
	}

	/**
	 * Starts no new round and lets the one under way end; what is left stays in the
	 * table.
	 */
	@Override
	public void stop() {
		this.running = false;
		long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
		while ((this.roundsUnderWay.get() > 0 || this.handOversUnderWay.get() > 0 || !this.recorder.idle())
				&& System.nanoTime() < deadline) {
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

	/**
	 * How long this round's claims last, as this process knows it: from before the last
	 * statement that set them, so never later than the database's own deadline.
	 */
	static final class Lease {

		private final long leaseNanos;

		private volatile long until;

		Lease(Duration lease) {
			this.leaseNanos = lease.toNanos();
			this.until = System.nanoTime() + this.leaseNanos;
		}

		void renewedAt(long asked) {
			this.until = asked + this.leaseNanos;
		}

		boolean held() {
			return System.nanoTime() - this.until < 0;
		}

	}

	private record Sent(Row row, SendResult result) {

	}

	/** The claims of one round or hand-over under way, and its lease. */
	private record Held(Long[] ids, Lease lease) {

	}

	/**
	 * What the writer needs to claim a change's rows for this relay: the claim to write,
	 * and its lease, running from before the rows are written.
	 */
	record HandOver(WriteClaim claim, Lease lease) {

	}

}
