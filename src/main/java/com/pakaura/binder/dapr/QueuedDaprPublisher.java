package com.pakaura.binder.dapr;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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
 * <li>Ordered per key: publications to one pubsub and topic with the same partition key
 * form a lane and go one at a time, in the order they were submitted: a key's next event
 * leaves only once its previous one has its final outcome, including the retries of a
 * failed one. Kafka orders records per partition of a topic, so keys of different topics
 * do not wait for each other.</li>
 * <li>Many to a request: where the sidecar has a bulk route ({@link BulkPublishRoute},
 * detected at start), a request carries the next event of every ready lane of one
 * destination (pubsub, topic and metadata), up to {@code bulk-max-entries} and
 * {@code sidecar-max-body-size}, never two of one key. A destination has one request
 * under way at a time and the next leaves as soon as it is answered (group commit): with
 * an idle sidecar an event leaves at once, alone; under load the requests grow instead of
 * multiplying. A request unanswered for {@value #STALLED_AFTER_MILLIS} ms no longer holds
 * its destination back: the other keys go in a request beside it, so a sidecar that
 * stalled and recovered gets traffic again at once, not when the stalled request times
 * out. Without a bulk route every event is its own request, and lanes take turns for
 * {@code max-in-flight} request slots.</li>
 * <li>Patient at start: until {@code /v1.0/healthz/outbound} answers 204 (or
 * {@code startup-wait} passes), publications wait instead of failing against a sidecar
 * that is still starting.</li>
 * <li>Persistent within bounds: a transient failure of an entry (sidecar not reachable,
 * 5xx, an entry in {@code failedEntries}) is retried with backoff until the publication's
 * {@code timeout} is spent, and its key waits meanwhile. A request that reached the
 * sidecar and got no answer within {@code response-timeout} is {@code unknown} and never
 * retried, since the sidecar may have published it.</li>
 * <li>Drained on close: what is queued or in flight gets up to
 * {@code shutdown-timeout}.</li>
 * </ul>
 * State is guarded by one lock whose sections only move references; HTTP, and the
 * building of each request, run outside it on the client's own thread: a sender's thread
 * only queues.
 */
final class QueuedDaprPublisher implements DaprPublisher {

	private static final Logger log = LoggerFactory.getLogger(QueuedDaprPublisher.class);

	private static final Duration FIRST_BACKOFF = Duration.ofMillis(50);

	private static final Duration MAX_BACKOFF = Duration.ofMillis(500);

	private static final Duration READINESS_POLL = Duration.ofMillis(200);

	/**
	 * How long a destination's bulk request may go unanswered before the next one leaves
	 * beside it. A healthy sidecar answers in milliseconds.
	 */
	static final long STALLED_AFTER_MILLIS = 1000;

	private static final long STALLED_AFTER_NANOS = Duration.ofMillis(STALLED_AFTER_MILLIS).toNanos();

	private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(2);

	/** How often the metadata is asked again while the sidecar cannot be reached. */
	private static final Duration METADATA_RETRY = Duration.ofSeconds(5);

	private final DaprSidecarClient sidecar;

	private final DaprBinderConfigurationProperties properties;

	private final DaprPublishOutcomes outcomes;

	private final Object lock = new Object();

	/** Lanes with a key, while they hold or send something. */
	private final Map<LaneKey, Lane> lanes = new HashMap<>();

	private final Map<Destination, Destination> destinations = new HashMap<>();

	/** Destinations with a lane ready to send, in turn order. */
	private final ArrayDeque<Destination> turns = new ArrayDeque<>();

	/** Lanes waiting out a retry's backoff, so that a shutdown finds them. */
	private final Set<Lane> backingOff = Collections.newSetFromMap(new IdentityHashMap<>());

	/** Publications waiting for their first request. */
	private int waiting;

	/** Requests under way. */
	private int inFlight;

	/** The entries of the requests under way, so that a shutdown can count them. */
	private final Set<Attempt> sending = Collections.newSetFromMap(new IdentityHashMap<>());

	private BulkPublishRoute route = BulkPublishRoute.NONE;

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
				Destination destination = destinationOf(publication);
				Lane lane = (publication.partitionKey() != null) ? this.lanes.computeIfAbsent(
						new LaneKey(publication.pubsub(), publication.topic(), publication.partitionKey()),
						(key) -> new Lane(key, destination)) : new Lane(null, destination);
				long sizeBound = DaprBulkRequest.sizeBound(publication);
				lane.pending.add(new Attempt(publication, lane, sizeBound, DaprBulkRequest.carries(publication)
						&& sizeBound + 2 <= this.properties.sidecarMaxBodySize().toBytes()));
				this.waiting++;
				if (lane.idle()) {
					ready(lane);
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

	private Destination destinationOf(DaprPublication publication) {
		Destination key = new Destination(publication.pubsub(), publication.topic(), publication.metadata());
		return this.destinations.computeIfAbsent(key, (k) -> k);
	}

	/** Lane and destination join the turns. Under the lock. */
	private void ready(Lane lane) {
		lane.queued = true;
		lane.destination.ready.add(lane);
		queue(lane.destination);
	}

	private void queue(Destination destination) {
		if (!destination.queued && !destination.ready.isEmpty()) {
			destination.queued = true;
			this.turns.add(destination);
		}
	}

	/**
	 * Sends as many requests as there are free slots and destinations ready. A bulk
	 * request takes its entries when it leaves, on the client's thread, not when its slot
	 * is taken: what became ready meanwhile (while that thread finished the answer before
	 * it, say) goes with it rather than waiting for its answer.
	 */
	private void pump() {
		List<Request> starts = new ArrayList<>();
		List<Destination> bulkStarts = new ArrayList<>();
		List<StallCheck> stallChecks = new ArrayList<>();
		synchronized (this.lock) {
			while (this.open && !this.closed && this.inFlight < this.properties.maxInFlight()
					&& !this.turns.isEmpty()) {
				Destination destination = this.turns.poll();
				destination.queued = false;
				if (destination.ready.isEmpty()) {
					continue;
				}
				if (this.route != BulkPublishRoute.NONE && destination.requestsInFlight > 0) {
					// group commit: its next request leaves when the one under way is
					// answered, or once that one looks stalled
					long unanswered = System.nanoTime() - destination.lastRequestNanos;
					if (unanswered < STALLED_AFTER_NANOS) {
						if (!destination.stallCheckScheduled) {
							destination.stallCheckScheduled = true;
							stallChecks
								.add(new StallCheck(destination, Duration.ofNanos(STALLED_AFTER_NANOS - unanswered)));
						}
						continue;
					}
				}
				destination.lastRequestNanos = System.nanoTime();
				destination.requestsInFlight++;
				this.inFlight++;
				if (this.route == BulkPublishRoute.NONE) {
					Request request = nextRequest(destination);
					this.sending.addAll(request.entries());
					starts.add(request);
					queue(destination);
				}
				else {
					bulkStarts.add(destination);
				}
			}
		}
		for (Request request : starts) {
			Mono.defer(() -> send(request))
				.subscribeOn(this.sidecar.scheduler())
				.subscribe((answer) -> finished(request, answer));
		}
		for (Destination destination : bulkStarts) {
			Mono.defer(() -> {
				Request request = leaving(destination);
				return (request != null) ? send(request).doOnNext((answer) -> finished(request, answer)).then()
						: Mono.<Void>empty();
			}).subscribeOn(this.sidecar.scheduler()).subscribe();
		}
		for (StallCheck check : stallChecks) {
			Mono.delay(check.after()).subscribe((tick) -> stallCheck(check.destination()));
		}
	}

	/**
	 * The request of a destination whose slot was taken, with the entries ready now;
	 * {@code null} when none is left (a request beside a stalled one took them, or the
	 * publisher closed): the slot is given back.
	 */
	private @Nullable Request leaving(Destination destination) {
		Request request = null;
		synchronized (this.lock) {
			if (!this.closed && !destination.ready.isEmpty()) {
				request = nextRequest(destination);
				this.sending.addAll(request.entries());
				if (this.route == BulkPublishRoute.NONE) {
					// the route fell back meanwhile: one event a request, side by side
					queue(destination);
				}
			}
			else {
				this.inFlight--;
				destination.requestsInFlight--;
				queue(destination);
				this.lock.notifyAll();
			}
		}
		if (request == null || request.route() == BulkPublishRoute.NONE) {
			// a slot given back, or a route without bulk requests: others may go now
			pump();
		}
		return request;
	}

	/** Its request under way may have stalled: the destination takes its turn again. */
	private void stallCheck(Destination destination) {
		synchronized (this.lock) {
			destination.stallCheckScheduled = false;
			queue(destination);
		}
		pump();
	}

	/** The next request of a destination with ready lanes. Under the lock. */
	private Request nextRequest(Destination destination) {
		Attempt first = take(destination.ready.poll());
		if (this.route == BulkPublishRoute.NONE || !first.bulkable) {
			return new Request(BulkPublishRoute.NONE, destination, List.of(first));
		}
		List<Attempt> entries = new ArrayList<>();
		entries.add(first);
		long size = 2 + first.sizeBound;
		long limit = this.properties.sidecarMaxBodySize().toBytes();
		Lane next;
		while (entries.size() < this.properties.bulkMaxEntries() && (next = destination.ready.peek()) != null) {
			Attempt head = next.pending.peek();
			long entrySize = head.sizeBound + 1;
			if (!head.bulkable || size + entrySize > limit) {
				break;
			}
			entries.add(take(destination.ready.poll()));
			size += entrySize;
		}
		return new Request(this.route, destination, entries);
	}

	/** Takes a ready lane's next publication for a request. Under the lock. */
	private Attempt take(Lane lane) {
		lane.queued = false;
		Attempt attempt = lane.pending.poll();
		lane.sending = attempt;
		if (attempt.deadline == 0) {
			attempt.deadline = System.nanoTime() + this.properties.timeout().toNanos();
		}
		this.waiting--;
		return attempt;
	}

	private Mono<DaprBulkAnswer> send(Request request) {
		if (request.route() == BulkPublishRoute.NONE) {
			return this.sidecar.publish(request.entries().get(0).publication, this.properties.responseTimeout())
				.map((outcome) -> DaprBulkAnswer.answered(List.of(outcome)));
		}
		List<DaprPublication> publications = new ArrayList<>(request.entries().size());
		for (Attempt attempt : request.entries()) {
			publications.add(attempt.publication);
		}
		return this.sidecar.publishBulk(publications, request.route(), this.properties.responseTimeout());
	}

	private void finished(Request request, DaprBulkAnswer answer) {
		List<Done> finals = new ArrayList<>();
		List<Attempt> retries = new ArrayList<>();
		String fallback = null;
		synchronized (this.lock) {
			this.inFlight--;
			request.destination().requestsInFlight--;
			List<Attempt> entries = request.entries();
			for (int index = 0; index < entries.size(); index++) {
				Attempt attempt = entries.get(index);
				if (!this.sending.remove(attempt)) {
					// the shutdown timeout passed first, and counted it
					continue;
				}
				Lane lane = attempt.lane;
				lane.sending = null;
				switch (answer.kind()) {
					case ROUTE_MISSING -> again(attempt);
					case SEND_ALONE -> {
						attempt.bulkable = false;
						again(attempt);
					}
					case ANSWERED -> {
						PublishOutcome outcome = answer.outcomes().get(index);
						attempt.last = outcome;
						if (outcome.transientFailure() && !this.closed
								&& attempt.deadline - System.nanoTime() > attempt.backoff.toNanos()) {
							lane.pending.addFirst(attempt);
							this.waiting++;
							this.backingOff.add(lane);
							retries.add(attempt);
						}
						else {
							finals.add(new Done(attempt.publication, outcome));
							if (!lane.pending.isEmpty() && !this.closed) {
								ready(lane);
							}
							else if (lane.key != null && lane.pending.isEmpty()) {
								this.lanes.remove(lane.key);
							}
						}
					}
				}
			}
			if (answer.kind() == DaprBulkAnswer.Kind.ROUTE_MISSING && this.route == request.route()) {
				this.route = this.route.fallback();
				fallback = answer.reason();
			}
			queue(request.destination());
			this.lock.notifyAll();
		}
		if (fallback != null) {
			log.warn("Dapr sidecar has no {} route ({}); publishing through {} from now on", request.route(), fallback,
					routeDescription(this.route));
		}
		for (Done done : finals) {
			this.outcomes.record(done.publication(), done.outcome());
		}
		for (Attempt attempt : retries) {
			Duration backoff = attempt.backoff;
			attempt.backoff = (backoff.compareTo(MAX_BACKOFF.dividedBy(2)) < 0) ? backoff.multipliedBy(2) : MAX_BACKOFF;
			Mono.delay(backoff).subscribe((tick) -> backedOff(attempt.lane));
		}
		pump();
	}

	/** Back to the front of its lane, uncounted: it was not published. Under the lock. */
	private void again(Attempt attempt) {
		attempt.lane.pending.addFirst(attempt);
		this.waiting++;
		if (!this.closed) {
			ready(attempt.lane);
		}
	}

	private void backedOff(Lane lane) {
		synchronized (this.lock) {
			if (!this.backingOff.remove(lane) || this.closed) {
				return;
			}
			ready(lane);
		}
		pump();
	}

	/**
	 * Opens the gate once the sidecar can publish, or once {@code startup-wait} has
	 * passed, and once the bulk route is known.
	 */
	private Disposable awaitSidecar() {
		Mono<Boolean> ready = this.properties.startupWait().isZero() ? Mono.just(false)
				: Mono.defer(() -> this.sidecar.outboundReady(READINESS_POLL))
					.filter(Boolean::booleanValue)
					.repeatWhenEmpty((attempts) -> attempts.delayElements(READINESS_POLL))
					.timeout(this.properties.startupWait())
					.doOnError((ex) -> log.warn("Dapr sidecar not ready after {}; sending events anyway",
							this.properties.startupWait()))
					.onErrorResume((ex) -> Mono.just(false));
		// on the binder's own thread: the application's start-up thread does no I/O
		return ready.flatMap((isReady) -> detectRoute())
			.subscribeOn(this.sidecar.scheduler())
			.subscribe(this::openGate);
	}

	/**
	 * The bulk route the sidecar serves: from its runtime version, when bulk publishing
	 * is on and {@code GET /v1.0/metadata} answers; single publishes otherwise. While the
	 * sidecar cannot be reached at all, single publishes, and the metadata is asked again
	 * every few seconds.
	 */
	private Mono<BulkPublishRoute> detectRoute() {
		if (!this.properties.bulkPublish()) {
			log.info("Dapr bulk publishing is off (bulk-publish=false): one request per event");
			return Mono.just(BulkPublishRoute.NONE);
		}
		return this.sidecar.metadata(METADATA_TIMEOUT).map((metadata) -> {
			BulkPublishRoute detected = BulkPublishRoute.forRuntimeVersion(metadata.runtimeVersion());
			log.info("Dapr sidecar {}: publishing through {}; pubsub {} {}", metadata.runtimeVersion(),
					routeDescription(detected), this.properties.pubsubName(),
					metadata.bulkNative(this.properties.pubsubName()) ? "publishes a bulk request natively"
							: "is published entry by entry by the sidecar");
			return detected;
		}).switchIfEmpty(Mono.fromSupplier(() -> {
			log.info("Dapr sidecar has no usable /v1.0/metadata: publishing through {}",
					routeDescription(BulkPublishRoute.NONE));
			return BulkPublishRoute.NONE;
		})).onErrorResume((ex) -> {
			log.info("Dapr sidecar metadata not reachable ({}): publishing through {} until it is",
					DaprSidecarClient.describe(ex), routeDescription(BulkPublishRoute.NONE));
			Mono.delay(METADATA_RETRY)
				.filter((tick) -> !isClosed())
				.flatMap((tick) -> detectRoute())
				.subscribe((later) -> adoptRoute(later));
			return Mono.just(BulkPublishRoute.NONE);
		});
	}

	private boolean isClosed() {
		synchronized (this.lock) {
			return this.closed;
		}
	}

	private void adoptRoute(BulkPublishRoute detected) {
		synchronized (this.lock) {
			if (this.closed) {
				return;
			}
			this.route = detected;
		}
		pump();
	}

	static String routeDescription(BulkPublishRoute route) {
		return switch (route) {
			case STABLE, ALPHA -> "bulk requests (" + route.pathPrefix() + "{pubsub}/{topic})";
			case NONE -> "one request per event (/v1.0/publish/{pubsub}/{topic})";
		};
	}

	private void openGate(BulkPublishRoute detected) {
		synchronized (this.lock) {
			if (!this.open) {
				this.route = detected;
			}
			this.open = true;
		}
		pump();
	}

	@Override
	public void close() {
		this.readinessGate.dispose();
		synchronized (this.lock) {
			this.open = true;
		}
		pump();
		List<Attempt> abandoned = new ArrayList<>();
		List<Attempt> stillSending;
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
			stillSending = new ArrayList<>(this.sending);
			this.sending.clear();
			// Waiting publications sit in lanes of the ready queues, behind the
			// request of their key, or in a lane backing off; a lane can be in more
			// than one of these.
			Set<Lane> holding = Collections.newSetFromMap(new IdentityHashMap<>());
			this.destinations.values().forEach((destination) -> holding.addAll(destination.ready));
			holding.addAll(this.lanes.values());
			holding.addAll(this.backingOff);
			holding.forEach((lane) -> {
				abandoned.addAll(lane.pending);
				lane.pending.clear();
			});
			this.destinations.values().forEach((destination) -> destination.ready.clear());
			this.turns.clear();
			this.backingOff.clear();
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
		stillSending.forEach((attempt) -> this.outcomes.record(attempt.publication, (attempt.last != null)
				? attempt.last
				: PublishOutcome.of(PublishOutcome.Kind.UNKNOWN, "still under way when the shutdown timeout passed")));
		abandoned.forEach((attempt) -> this.outcomes.record(attempt.publication, (attempt.last != null) ? attempt.last
				: PublishOutcome.of(PublishOutcome.Kind.DROPPED, "not sent before the shutdown timeout")));
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

	/** One publication and the state of its attempts. */
	private static final class Attempt {

		private final DaprPublication publication;

		private final Lane lane;

		/**
		 * An upper bound of what it adds to a bulk request
		 * ({@link DaprBulkRequest#sizeBound}).
		 */
		private final long sizeBound;

		/** It may go in a bulk request: false once daprd refused a request for it. */
		private boolean bulkable;

		/** {@link System#nanoTime()} past which no attempt starts; 0 before the first. */
		private long deadline;

		private Duration backoff = FIRST_BACKOFF;

		/** The last attempt's outcome; {@code null} before the first answer. */
		private @Nullable PublishOutcome last;

		Attempt(DaprPublication publication, Lane lane, long sizeBound, boolean bulkable) {
			this.publication = publication;
			this.lane = lane;
			this.sizeBound = sizeBound;
			this.bulkable = bulkable;
		}

	}

	private record LaneKey(String pubsub, String topic, String partitionKey) {

	}

	/** The publications of one key (or one unkeyed publication), sent one at a time. */
	private static final class Lane {

		private final @Nullable LaneKey key;

		private final Destination destination;

		private final ArrayDeque<Attempt> pending = new ArrayDeque<>();

		/** The publication with the sidecar now. */
		private @Nullable Attempt sending;

		/** It is in its destination's ready queue. */
		private boolean queued;

		Lane(@Nullable LaneKey key, Destination destination) {
			this.key = key;
			this.destination = destination;
		}

		boolean idle() {
			return this.sending == null && !this.queued && this.pending.size() == 1;
		}

	}

	/** Where a request goes: one pubsub, topic and binding metadata. */
	private static final class Destination {

		private final String pubsub;

		private final String topic;

		private final Map<String, String> metadata;

		/** Lanes whose next publication may go, in turn order. */
		private final ArrayDeque<Lane> ready = new ArrayDeque<>();

		private int requestsInFlight;

		/** {@link System#nanoTime()} when its last request left. */
		private long lastRequestNanos;

		/** A look at whether its request under way stalled is scheduled. */
		private boolean stallCheckScheduled;

		/** It is in the turns. */
		private boolean queued;

		Destination(String pubsub, String topic, Map<String, String> metadata) {
			this.pubsub = pubsub;
			this.topic = topic;
			this.metadata = metadata;
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof Destination that && this.pubsub.equals(that.pubsub) && this.topic.equals(that.topic)
					&& this.metadata.equals(that.metadata);
		}

		@Override
		public int hashCode() {
			return Objects.hash(this.pubsub, this.topic, this.metadata);
		}

	}

	private record Request(BulkPublishRoute route, Destination destination, List<Attempt> entries) {

	}

	private record StallCheck(Destination destination, Duration after) {

	}

	/** A publication with its final outcome, counted once the lock is let go. */
	private record Done(DaprPublication publication, PublishOutcome outcome) {

	}

}
