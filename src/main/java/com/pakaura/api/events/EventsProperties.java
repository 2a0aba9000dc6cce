package com.pakaura.api.events;

import java.net.URI;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How task events describe themselves, and how they leave.
 *
 * @param source the CloudEvents {@code source} of every event (env {@code EVENTS_SOURCE})
 * @param delivery {@code fire-and-forget}: events are handed to the binder after the
 * commit, and what the sidecar does not take in time is counted and lost; {@code outbox}:
 * events are written to the {@code event_outbox} table in the change's own transaction
 * and sent by a relay until the sidecar takes them (env {@code EVENTS_DELIVERY})
 * @param outbox the relay's settings, used in {@code outbox} delivery
 */
@ConfigurationProperties("pakaura.events")
public record EventsProperties(@DefaultValue("pakaura/api") URI source,
		@DefaultValue("fire-and-forget") Delivery delivery, @DefaultValue Outbox outbox) {

	public enum Delivery {

		FIRE_AND_FORGET, OUTBOX

	}

	/**
	 * @param pollInterval how often the relay looks for due rows when nothing wakes it (a
	 * commit in this process, or a PostgreSQL notification from another)
	 * @param batchSize how many tasks one relay round serves at once, each its pending
	 * events in order
	 * @param retryBackoff the first wait before a failed event is tried again; it doubles
	 * with each attempt, with jitter
	 * @param maxRetryBackoff the longest wait between two attempts
	 * @param parkAfterAttempts an event the sidecar refuses for good (4xx, too large, no
	 * CloudEvent) is parked after this many attempts: set aside, logged at ERROR and
	 * counted, until an operator resubmits it; the task's later events go on
	 * @param completion what recording a delivery does to its row: {@code delete} it (as
	 * Spring Modulith's completion mode {@code DELETE}: the table holds only what is
	 * still to do, and a delivery writes no new row version), or {@code update} it with
	 * {@code delivered_at} and keep it for {@code retention}
	 * @param retention with {@code completion: update}, how long delivered rows are kept
	 * before they are purged
	 * @param purgeInterval how often delivered rows are purged: those {@code update}
	 * keeps, and any left from when it was set
	 * @param confirmTimeout how long the relay waits for the binder to say how a send
	 * ended; past it the send counts as unknown and is tried again
	 * @param claimLease how long a relay's claim on a task lasts unless renewed (a round
	 * renews it every third of this while it runs): the longest that the tasks of a relay
	 * that died wait before another relay takes them
	 * @param parallelRounds how many rounds one relay runs at once while a backlog waits
	 * (each its own tasks): one claims, reads and records while another waits for the
	 * sidecar
	 * @param recordInterval the least time between two of the relay's statements that
	 * record deliveries: what is confirmed meanwhile waits and goes in the next one. A
	 * record statement and its commit cost PostgreSQL alone more than the change's own
	 * rows did (research.md R21); one after a quiet spell leaves at once. {@code 0}
	 * records as soon as the statement before has ended
	 */
	public record Outbox(@DefaultValue("1s") Duration pollInterval, @DefaultValue("128") int batchSize,
			@DefaultValue("200ms") Duration retryBackoff, @DefaultValue("30s") Duration maxRetryBackoff,
			@DefaultValue("3") int parkAfterAttempts, @DefaultValue("delete") Completion completion,
			@DefaultValue("24h") Duration retention, @DefaultValue("1m") Duration purgeInterval,
			@DefaultValue("90s") Duration confirmTimeout, @DefaultValue("30s") Duration claimLease,
			@DefaultValue("4") int parallelRounds, @DefaultValue("20ms") Duration recordInterval) {

		public Outbox {
			if (parallelRounds < 1) {
				throw new IllegalArgumentException(
						"pakaura.events.outbox.parallel-rounds must be at least 1, not " + parallelRounds);
			}
			if (claimLease.compareTo(Duration.ofSeconds(1)) < 0) {
				throw new IllegalArgumentException(
						"pakaura.events.outbox.claim-lease must be at least 1s, not " + claimLease);
			}
			if (recordInterval.isNegative() || recordInterval.compareTo(claimLease.dividedBy(3)) >= 0) {
				throw new IllegalArgumentException("pakaura.events.outbox.record-interval must be at least 0 and"
						+ " less than a third of claim-lease (" + claimLease + "), not " + recordInterval);
			}
		}

	}

	/** What recording a delivery does to its outbox row. */
	public enum Completion {

		/** The row is deleted. */
		DELETE,

		/** The row is marked {@code delivered_at} and purged after the retention. */
		UPDATE

	}

}
