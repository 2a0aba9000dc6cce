package com.pakaura.binder.dapr;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.micrometer.core.instrument.Gauge;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import com.pakaura.binder.dapr.properties.DaprBinderConfigurationProperties;

/**
 * Delivers publications to the sidecar without ever holding up the sender.
 *
 * <ul>
 * <li>Bounded: at most {@code buffer-size} publications wait; past that the newest is
 * dropped (and counted), so a dead sidecar cannot exhaust memory.</li>
 * <li>Ordered per key: publications with the same partition key form a lane and go one at
 * a time, in the order they were submitted; lanes take turns for the
 * {@code max-in-flight} request slots.</li>
 * <li>Patient at start: until {@code /v1.0/healthz/outbound} answers 204 (or
 * {@code startup-wait} passes), publications wait instead of failing against a sidecar
 * that is still starting.</li>
 * <li>Persistent within bounds: a transient failure (sidecar not reachable, 5xx) is
 * retried with backoff until the publication's {@code timeout} is spent. A request that
 * reached the sidecar is waited for up to {@code response-timeout}, however slow the
 * broker, so that a late publish cannot be overtaken by its key's next event; without an
 * answer even then, it is {@code unknown} and never retried, since the sidecar may have
 * published it.</li>
 * <li>Drained on close: what is queued or in flight gets up to
 * {@code shutdown-timeout}.</li>
 * </ul>
 * State is guarded by one lock whose sections only move references; HTTP runs outside it,
 * on the client's own thread: a sender's thread only queues.
 */
final class QueuedDaprPublisher implements DaprPublisher {

	private static final Logger log = LoggerFactory.getLogger(QueuedDaprPublisher.class);

	private static final Duration FIRST_BACKOFF = Duration.ofMillis(50);

	private static final Duration MAX_BACKOFF = Duration.ofMillis(500);

	private static final Duration READINESS_POLL = Duration.ofMillis(200);

	private final DaprSidecarClient sidecar;

	private final DaprBinderConfigurationProperties properties;

	private final DaprPublishOutcomes outcomes;

	private final Object lock = new Object();

	/** Lanes with a key, while they hold or send something. */
	private final Map<String, Lane> lanes = new HashMap<>();

	/** Lanes with a publication waiting for a request slot, in turn order. */
	private final ArrayDeque<Lane> ready = new ArrayDeque<>();

	private int waiting;

	private int inFlight;

	/**
	 * The publications with the sidecar, each with its last attempt's outcome
	 * ({@code null} during the first), so that a shutdown can count what it abandons.
	 */
	private final Map<DaprPublication, @Nullable PublishOutcome> sending = new IdentityHashMap<>();

	private boolean open;

	private boolean closed;

	private volatile Disposable readinessGate = () -> {
	};

	QueuedDaprPublisher(DaprSidecarClient sidecar, DaprBinderConfigurationProperties properties,
			DaprPublishOutcomes outcomes) {
		this.sidecar = sidecar;
		this.properties = properties;
		this.outcomes = outcomes;
		Gauge.builder("dapr.publish.queued", this, QueuedDaprPublisher::waitingCount)
			.description("Events waiting to be sent to the Dapr sidecar")
			.register(outcomes.meters());
		Gauge.builder("dapr.publish.in.flight", this, QueuedDaprPublisher::inFlightCount)
			.description("Publish requests under way to the Dapr sidecar")
			.register(outcomes.meters());
	}

	/**
	 * Starts waiting for the sidecar: no I/O happens before the binder is initialized.
	 */
	@Override
	public void start() {
		this.readinessGate = awaitSidecar();
	}

	@Override
	public void submit(DaprPublication publication) {
		boolean accepted;
		synchronized (this.lock) {
			accepted = !this.closed && this.waiting < this.properties.bufferSize();
			if (accepted) {
				Lane lane = (publication.partitionKey() != null)
						? this.lanes.computeIfAbsent(publication.partitionKey(), Lane::new) : new Lane(null);
				lane.pending.add(publication);
				this.waiting++;
				if (!lane.sending && !lane.queued) {
					lane.queued = true;
					this.ready.add(lane);
				}
			}
		}
		if (accepted) {
			pump();
		}
		else {
			this.outcomes.record(publication, PublishOutcome.of(PublishOutcome.Kind.DROPPED,
					"buffer of " + this.properties.bufferSize() + " events is full"));
		}
	}

	/** Starts as many lanes as there are free request slots. */
	private void pump() {
		List<Start> starts = new ArrayList<>();
		synchronized (this.lock) {
			while (this.open && !this.closed && this.inFlight < this.properties.maxInFlight()
					&& !this.ready.isEmpty()) {
				Lane lane = this.ready.poll();
				lane.queued = false;
				lane.sending = true;
				this.waiting--;
				this.inFlight++;
				DaprPublication next = lane.pending.poll();
				this.sending.put(next, null);
				starts.add(new Start(lane, next));
			}
		}
		for (Start start : starts) {
			Mono.defer(() -> deliver(start.publication()))
				.subscribeOn(this.sidecar.scheduler())
				.subscribe((outcome) -> finished(start.lane(), start.publication(), outcome));
		}
	}

	private void finished(Lane lane, DaprPublication publication, PublishOutcome outcome) {
		boolean abandoned;
		synchronized (this.lock) {
			abandoned = !this.sending.containsKey(publication);
			this.sending.remove(publication);
		}
		if (!abandoned) {
			this.outcomes.record(publication, outcome);
		}
		synchronized (this.lock) {
			this.inFlight--;
			lane.sending = false;
			if (!lane.pending.isEmpty() && !this.closed) {
				lane.queued = true;
				this.ready.add(lane);
			}
			else if (lane.key != null) {
				this.lanes.remove(lane.key);
			}
			this.lock.notifyAll();
		}
		pump();
	}

	/** Attempts until success, a permanent failure, or the timeout is spent. */
	private Mono<PublishOutcome> deliver(DaprPublication publication) {
		long deadline = System.nanoTime() + this.properties.timeout().toNanos();
		return attempt(publication, deadline, FIRST_BACKOFF);
	}

	private Mono<PublishOutcome> attempt(DaprPublication publication, long deadline, Duration backoff) {
		return this.sidecar.publish(publication, this.properties.responseTimeout()).flatMap((outcome) -> {
			synchronized (this.lock) {
				this.sending.replace(publication, outcome);
			}
			if (!outcome.transientFailure() || deadline - System.nanoTime() <= backoff.toNanos()) {
				return Mono.just(outcome);
			}
			Duration next = (backoff.compareTo(MAX_BACKOFF.dividedBy(2)) < 0) ? backoff.multipliedBy(2) : MAX_BACKOFF;
			// Once closed, the client's connections and threads are gone: the last
			// outcome stands.
			return Mono.delay(backoff)
				.then(Mono.defer(() -> isClosed() ? Mono.just(outcome) : attempt(publication, deadline, next)));
		});
	}

	private boolean isClosed() {
		synchronized (this.lock) {
			return this.closed;
		}
	}

	/**
	 * Opens the gate once the sidecar can publish, or once {@code startup-wait} has
	 * passed.
	 */
	private Disposable awaitSidecar() {
		if (this.properties.startupWait().isZero()) {
			openGate();
			return () -> {
			};
		}
		return Mono.defer(() -> this.sidecar.outboundReady(READINESS_POLL))
			.filter(Boolean::booleanValue)
			.repeatWhenEmpty((attempts) -> attempts.delayElements(READINESS_POLL))
			.timeout(this.properties.startupWait())
			.doOnError((ex) -> log.warn("Dapr sidecar not ready after {}; sending events anyway",
					this.properties.startupWait()))
			.onErrorResume((ex) -> Mono.just(false))
			.subscribe((ready) -> openGate());
	}

	private void openGate() {
		synchronized (this.lock) {
			this.open = true;
		}
		pump();
	}

	@Override
	public void close() {
		this.readinessGate.dispose();
		openGate();
		List<DaprPublication> abandoned = new ArrayList<>();
		Map<DaprPublication, @Nullable PublishOutcome> stillSending;
		synchronized (this.lock) {
			long deadline = System.nanoTime() + this.properties.shutdownTimeout().toNanos();
			long remaining;
			while ((this.waiting > 0 || this.inFlight > 0) && (remaining = deadline - System.nanoTime()) > 0) {
				try {
					this.lock.wait(Math.max(1, remaining / 1_000_000));
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					break;
				}
			}
			this.closed = true;
			stillSending = new IdentityHashMap<>(this.sending);
			this.sending.clear();
			// Waiting publications sit in lanes of the ready queue, and also behind the
			// in-flight
			// request of their key, in a lane that only the keyed map still reaches.
			Stream.concat(this.ready.stream(), this.lanes.values().stream()).forEach((lane) -> {
				abandoned.addAll(lane.pending);
				lane.pending.clear();
			});
			this.ready.clear();
			this.waiting = 0;
		}
		if (!abandoned.isEmpty() || !stillSending.isEmpty()) {
			log.warn(
					"Shutdown timeout {} passed with {} events queued, which are dropped, and {} in flight, which end"
							+ " with their last attempt's outcome",
					this.properties.shutdownTimeout(), abandoned.size(), stillSending.size());
		}
		// A request still under way may yet be published; one between attempts ends as it
		// last did.
		stillSending.forEach((publication, last) -> this.outcomes.record(publication, (last != null) ? last
				: PublishOutcome.of(PublishOutcome.Kind.UNKNOWN, "still under way when the shutdown timeout passed")));
		abandoned.forEach((publication) -> this.outcomes.record(publication,
				PublishOutcome.of(PublishOutcome.Kind.DROPPED, "not sent before the shutdown timeout")));
		this.sidecar.close();
	}

	private int waitingCount() {
		synchronized (this.lock) {
			return this.waiting;
		}
	}

	private int inFlightCount() {
		synchronized (this.lock) {
			return this.inFlight;
		}
	}

	/** The publications of one key (or one unkeyed publication), sent one at a time. */
	private static final class Lane {

		private final @Nullable String key;

		private final ArrayDeque<DaprPublication> pending = new ArrayDeque<>();

		/** One of its publications is with the sidecar. */
		private boolean sending;

		/** It is in the ready queue. */
		private boolean queued;

		Lane(@Nullable String key) {
			this.key = key;
		}

	}

	private record Start(Lane lane, DaprPublication publication) {

	}

}
