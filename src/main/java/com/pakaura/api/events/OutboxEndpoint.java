package com.pakaura.api.events;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/outbox}, for operators (outbox delivery only; it needs a token with
 * the {@code pakaura.admin} scope). GET: how many events wait, how old the oldest is, and
 * the parked ones with their last error. POST {@code {"eventId": "..."}}, or an empty
 * body for all: resubmits parked events, which the relay then sends in their task's
 * order. The same in SQL:
 * {@code UPDATE event_outbox SET parked_at = NULL, attempts = 0, next_attempt_at = now() WHERE
 * parked_at IS NOT NULL}.
 */
@Component
@Endpoint(id = "outbox")
@ConditionalOnProperty(name = "pakaura.events.delivery", havingValue = "outbox")
class OutboxEndpoint {

	private final DatabaseClient db;

	private final OutboxRelay relay;

	OutboxEndpoint(DatabaseClient db, OutboxRelay relay) {
		this.db = db;
		this.relay = relay;
	}

	@ReadOperation
	Mono<Map<String, Object>> state() {
		Mono<List<Map<String, Object>>> parked = this.db.sql("""
				SELECT event_id, task_id, event_type, sequence, attempts, last_error, parked_at
				FROM event_outbox WHERE parked_at IS NOT NULL ORDER BY id LIMIT 100""").fetch().all().collectList();
		return Mono.zip(this.relay.counts(), parked)
			.map((both) -> Map.of("pending", both.getT1().pending(), "parked", both.getT1().parked(), "oldest_pending",
					String.valueOf(both.getT1().oldestPending()), "parked_events", both.getT2()));
	}

	/**
	 * @param eventId one parked event; all of them when absent
	 */
	@WriteOperation
	Mono<Map<String, Object>> resubmit(@Nullable UUID eventId) {
		String sql = "UPDATE event_outbox SET parked_at = NULL, attempts = 0, next_attempt_at = statement_timestamp()"
				+ " WHERE parked_at IS NOT NULL" + ((eventId != null) ? " AND event_id = :eventId" : "");
		DatabaseClient.GenericExecuteSpec update = this.db.sql(sql);
		if (eventId != null) {
			update = update.bind("eventId", eventId);
		}
		return update.fetch().rowsUpdated().map((resubmitted) -> Map.of("resubmitted", resubmitted));
	}

}
