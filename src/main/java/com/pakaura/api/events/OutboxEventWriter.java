package com.pakaura.api.events;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.cloudevents.CloudEvent;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import com.pakaura.api.correlation.RequestTrace;
import com.pakaura.api.events.OutboxStore.OutboxRow;
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
@Component
@ConditionalOnProperty(name = "pakaura.events.delivery", havingValue = "outbox")
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
		return this.store.write(rows).then(announce()).thenReturn((Completion) (end) -> {
			if (end == TransactionEnd.COMMITTED) {
				this.relay.wake();
			}
		});
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
