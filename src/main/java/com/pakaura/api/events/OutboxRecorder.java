package com.pakaura.api.events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.Counter;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import com.pakaura.api.events.OutboxStore.Failure;

/**
 * Records what the relay's sends came to, many sends in one statement: one record is
 * under way at a time, and the next takes everything that arrived meanwhile (group
 * commit, as the binder's bulk requests do). The next also waits until
 * {@code record-interval} after the one before began: each record is a statement and a
 * commit of its own, which cost PostgreSQL alone more than the change's rows did
 * (research.md R21). At saturation the group commit already put many changes in each
 * statement, and the interval measured no different; it keeps records few at moderate
 * rates, where one was quick enough to take about one change. A record after a quiet
 * spell leaves at once; one that waits holds only claims, which are renewed, and the
 * sidecar already has the events.
 */
final class OutboxRecorder {

	private final OutboxStore store;

	private final UUID relay;

	private final Counter delivered;

	private final Runnable recorded;

	private final long intervalNanos;

	private final Queue<Outcomes> waiting = new ConcurrentLinkedQueue<>();

	/** A record is under way, or waiting for its interval to begin. */
	private final AtomicBoolean recording = new AtomicBoolean();

	/** When the last record began; long enough ago at the start. */
	private volatile long lastBegan;

	/**
	 * @param recorded told after each record that delivered anything, on the driver's
	 * thread: must not block
	 */
	OutboxRecorder(OutboxStore store, UUID relay, Duration interval, Counter delivered, Runnable recorded) {
		this.store = store;
		this.relay = relay;
		this.intervalNanos = interval.toNanos();
		this.delivered = delivered;
		this.recorded = recorded;
		this.lastBegan = System.nanoTime() - this.intervalNanos;
	}

	/**
	 * Marks {@code delivered}, records {@code failures}, and gives back this relay's
	 * {@code claims} that are neither; completes once that is in the database.
	 */
	Mono<Void> record(List<Long> delivered, List<Failure> failures, List<Long> claims) {
		return Mono.defer(() -> {
			Outcomes outcomes = new Outcomes(delivered, failures, claims, Sinks.empty());
			this.waiting.add(outcomes);
			recordWaiting();
			return outcomes.done().asMono();
		});
	}

	/** Whether nothing is waiting to be recorded or under way. */
	boolean idle() {
		return !this.recording.get() && this.waiting.isEmpty();
	}

	private void recordWaiting() {
		// nothing waiting: no record to begin, nor an interval to wait out (a caller that
		// adds after this look calls here itself)
		if (this.waiting.isEmpty() || !this.recording.compareAndSet(false, true)) {
			return;
		}
		long wait = this.lastBegan + this.intervalNanos - System.nanoTime();
		if (wait > 0) {
			Mono.delay(Duration.ofNanos(wait)).subscribe((tick) -> recordNow());
		}
		else {
			recordNow();
		}
	}

	private void recordNow() {
		List<Outcomes> batch = new ArrayList<>();
		for (Outcomes next = this.waiting.poll(); next != null; next = this.waiting.poll()) {
			batch.add(next);
		}
		if (batch.isEmpty()) {
			this.recording.set(false);
			// one added between the poll and the reset would wait for the next record
			if (!this.waiting.isEmpty()) {
				recordWaiting();
			}
			return;
		}
		this.lastBegan = System.nanoTime();
		List<Long> delivered = new ArrayList<>();
		List<Failure> failures = new ArrayList<>();
		batch.forEach((outcomes) -> {
			delivered.addAll(outcomes.delivered());
			failures.addAll(outcomes.failures());
		});
		Set<Long> settled = new HashSet<>(delivered);
		// marking a row delivered gives its claim back already
		Long[] claims = batch.stream()
			.flatMap((outcomes) -> outcomes.claims().stream())
			.filter((id) -> !settled.contains(id))
			.toArray(Long[]::new);
		// deferred: a statement that fails to build fails this record, and the next
		// one still begins
		Mono.defer(() -> this.store.record(this.relay, delivered.toArray(Long[]::new), failures, claims))
			.doOnNext(this.delivered::increment)
			.subscribe((completed) -> {
				end(batch, null);
				if (completed > 0) {
					this.recorded.run();
				}
			}, (ex) -> end(batch, ex));
	}

	private void end(List<Outcomes> batch, @Nullable Throwable failure) {
		this.recording.set(false);
		recordWaiting();
		for (Outcomes outcomes : batch) {
			if (failure == null) {
				outcomes.done().tryEmitEmpty();
			}
			else {
				outcomes.done().tryEmitError(failure);
			}
		}
	}

	private record Outcomes(List<Long> delivered, List<Failure> failures, List<Long> claims, Sinks.Empty<Void> done) {

	}

}
