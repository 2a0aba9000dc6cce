package com.pakaura.api.events;

import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@code /actuator/outbox}, for operators (outbox delivery only; it needs a token with
 * the {@code pakaura.admin} scope). GET: how many events wait, how old the oldest is, the
 * parked ones with their last error, and whether PostgreSQL's autovacuum runs (the table
 * is a queue: without it, it only grows). POST {@code {"eventId": "..."}}, or an empty
 * body for all: resubmits parked events, which the relay then sends in their task's
 * order. The same in SQL:
 * {@code UPDATE event_outbox SET parked_at = NULL, attempts = 0, next_attempt_at = now() WHERE
 * parked_at IS NOT NULL}.
 */
@Endpoint(id = "outbox")
class OutboxEndpoint {

	private final OutboxStore store;

	OutboxEndpoint(OutboxStore store) {
		this.store = store;
	}

	@ReadOperation
	Mono<Map<String, Object>> state() {
		return Mono.zip(this.store.counts(), this.store.parked(100), this.store.autovacuum())
			.map((all) -> Map.of("pending", all.getT1().pending(), "parked", all.getT1().parked(), "oldest_pending",
					String.valueOf(all.getT1().oldestPending()), "parked_events", all.getT2(), "autovacuum",
					all.getT3()));
	}

	/**
	 * @param eventId one parked event; all of them when absent
	 */
	@WriteOperation
	Mono<Map<String, Object>> resubmit(@Nullable UUID eventId) {
		return this.store.resubmit(eventId).map((resubmitted) -> Map.of("resubmitted", resubmitted));
	}

}
