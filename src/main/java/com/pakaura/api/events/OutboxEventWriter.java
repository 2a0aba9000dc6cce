package com.pakaura.api.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.cloudevents.CloudEvent;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import com.pakaura.api.correlation.RequestTrace;
import com.pakaura.api.events.OutboxStore.OutboxRow;
import com.pakaura.api.events.OutboxStore.Row;
import com.pakaura.api.events.OutboxStore.Written;
import com.pakaura.api.task.TaskChange;
import com.pakaura.api.task.TaskChangeListener;

/**
 * Outbox delivery: a mutation's events, each as the structured CloudEvent it will be
 * published as (its {@code id} final), are written to {@code event_outbox} inside the
 * mutation's own transaction, so both commit or neither does, and no window is left
 * between a commit and the hand-over. The commit wakes this process's relay directly;
 * only while that one is stopped do the others hear of it through PostgreSQL's
 * {@code NOTIFY} (delivered once the transaction commits).
 */
class OutboxEventWriter implements TaskChangeListener {

	private static final Completion NOTHING_WRITTEN = (end) -> {
	};

	private final OutboxStore store;

	private final CloudEventEnvelopes envelopes;

	private final OutboxRelay relay;

	OutboxEventWriter(OutboxStore store, CloudEventEnvelopes envelopes, OutboxRelay relay) {
		this.store = store;
		this.envelopes = envelopes;
		this.relay = relay;
	}

	@Override
	public Mono<Completion> changing(List<TaskChange> changes, ContextView request) {
		List<OutboxRow> rows = new ArrayList<>();
		for (TaskChange change : changes) {
			for (TaskEvent event : TaskEventPlan.of(change)) {
				rows.add(row(event, request));
			}
		}
		if (rows.isEmpty()) {
			return Mono.just(NOTHING_WRITTEN);
		}
		OutboxRelay.HandOver handOver = this.relay.handOver();
		boolean newTasks = changes.stream().allMatch((change) -> change.kind() == TaskChange.Kind.CREATED);
		long writtenAt = System.nanoTime();
		return this.store.write(rows, (handOver != null) ? handOver.claim() : null, newTasks)
			.flatMap((written) -> announce().thenReturn(completion(rows, written, writtenAt, handOver)));
	}

	/**
	 * At the commit, the rows claimed for this process's relay go to it to be sent from
	 * memory; rows left unclaimed (behind a pending change of their task, or with the
	 * relay stopped) wake it to claim them in a round.
	 */
	private Completion completion(List<OutboxRow> rows, Map<UUID, Written> written, long writtenAt,
			OutboxRelay.@Nullable HandOver handOver) {
		List<Row> claimed = new ArrayList<>();
		for (OutboxRow row : rows) {
			Written as = written.get(row.eventId());
			if (as != null && as.claimed()) {
				claimed.add(row.written(as.id(), writtenAt));
			}
		}
		boolean leftBehind = claimed.size() < rows.size();
		return (end) -> {
			if (end != TransactionEnd.COMMITTED) {
				// rolled back: nothing to send; unknown: rows that exist stay
				// claimed until their lease runs out, then a round sends them in order
				return;
			}
			if (handOver != null) {
				this.relay.committed(claimed, handOver);
			}
			if (leftBehind) {
				this.relay.committedBehind();
			}
		};
	}

	/**
	 * Other processes' relays hear of the commit through {@code NOTIFY}, unless this
	 * process's relay runs: it is woken directly and sends the rows itself, and the
	 * others would only find them claimed, so the statement would be a round trip per
	 * change for nothing. Their polling stays the safety net.
	 */
	private Mono<Void> announce() {
		return this.relay.isRunning() ? Mono.empty() : this.store.announce();
	}

	private OutboxRow row(TaskEvent event, ContextView request) {
		CloudEvent envelope = this.envelopes.envelope(event, request);
		return new OutboxRow(UUID.fromString(envelope.getId()), event.taskId(), event.sequence(), event.type(),
				event.topic().binding(), this.envelopes.serialized(envelope),
				String.valueOf(envelope.getExtension("correlationid")),
				CloudEventEnvelopes.traceHeader(envelope, RequestTrace.TRACEPARENT),
				CloudEventEnvelopes.traceHeader(envelope, RequestTrace.TRACESTATE));
	}

}
