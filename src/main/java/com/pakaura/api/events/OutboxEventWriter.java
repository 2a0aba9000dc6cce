package com.pakaura.api.events;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.cloudevents.CloudEvent;
import io.r2dbc.spi.Statement;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import com.pakaura.api.correlation.RequestTrace;
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

	static final String CHANNEL = "pakaura_event_outbox";

	private static final String INSERT = """
			INSERT INTO event_outbox (event_id, task_id, sequence, event_type, binding, payload, correlation_id, traceparent, tracestate)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""";

	private static final Completion NOTHING_WRITTEN = (end) -> {
	};

	private final DatabaseClient db;

	private final CloudEventEnvelopes envelopes;

	private final OutboxRelay relay;

	OutboxEventWriter(DatabaseClient db, CloudEventEnvelopes envelopes, OutboxRelay relay) {
		this.db = db;
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
		return this.db.inConnectionMany((connection) -> {
			Statement insert = connection.createStatement(INSERT);
			for (int i = 0; i < rows.size(); i++) {
				if (i > 0) {
					insert.add();
				}
				bind(insert, rows.get(i));
			}
			return Flux.from(insert.execute()).flatMap((result) -> result.getRowsUpdated());
		}).then(announce()).thenReturn((Completion) (end) -> {
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
		return this.relay.isRunning() ? Mono.empty() : this.db.sql("SELECT pg_notify('" + CHANNEL + "', '')").then();
	}

	private OutboxRow row(TaskEvent event, ContextView request) {
		CloudEvent envelope = this.envelopes.envelope(event, request);
		return new OutboxRow(UUID.fromString(envelope.getId()), event.taskId(), event.sequence(), event.type(),
				event.topic().binding(), this.envelopes.serialized(envelope),
				String.valueOf(envelope.getExtension("correlationid")),
				CloudEventEnvelopes.traceHeader(envelope, RequestTrace.TRACEPARENT),
				CloudEventEnvelopes.traceHeader(envelope, RequestTrace.TRACESTATE));
	}

	private static void bind(Statement insert, OutboxRow row) {
		insert.bind(0, row.eventId())
			.bind(1, row.taskId())
			.bind(2, row.sequence())
			.bind(3, row.eventType())
			.bind(4, row.binding())
			.bind(5, ByteBuffer.wrap(row.payload()))
			.bind(6, row.correlationId());
		bindNullable(insert, 7, row.traceparent());
		bindNullable(insert, 8, row.tracestate());
	}

	private static void bindNullable(Statement insert, int index, @Nullable String value) {
		if (value != null) {
			insert.bind(index, value);
		}
		else {
			insert.bindNull(index, String.class);
		}
	}

	/** One event as written to the outbox. */
	record OutboxRow(UUID eventId, UUID taskId, long sequence, String eventType, String binding, byte[] payload,
			String correlationId, @Nullable String traceparent, @Nullable String tracestate) {

	}

}
