package com.pakaura.api.events;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.pakaura.api.support.ServiceTest;
import com.pakaura.binder.dapr.FakeDaprSidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The relay's rounds, with nothing but one signal to go on: no polling here (an hour
 * between polls), so whatever is delivered is delivered by the rounds that one
 * notification started.
 */
@ServiceTest
// closed after the class: its relay would go on claiming the shared table's rows
@DirtiesContext
class OutboxRelayRoundsTest {

	@RegisterExtension
	static final FakeDaprSidecar SIDECAR = FakeDaprSidecar.start();

	private static final int TASKS = 12;

	@DynamicPropertySource
	static void outbox(DynamicPropertyRegistry properties) {
		properties.add("DAPR_ENABLED", () -> "true");
		properties.add("DAPR_HTTP_PORT", SIDECAR::port);
		properties.add("pakaura.events.delivery", () -> "outbox");
		properties.add("pakaura.events.outbox.poll-interval", () -> "1h");
		// three rounds' worth of tasks, one round at a time: each must start the next
		properties.add("pakaura.events.outbox.batch-size", () -> "4");
		properties.add("pakaura.events.outbox.parallel-rounds", () -> "1");
	}

	@Autowired
	private DatabaseClient db;

	/**
	 * A backlog that takes several rounds (what another process left, or what waited
	 * behind a stall) is drained round after round from one wake-up; before, the drain
	 * ended after the first round, and each further round waited for the next poll.
	 */
	@Test
	void oneSignalDrainsABacklogOfSeveralRounds() {
		UUID batch = UUID.randomUUID();
		// the first poll came at start, before these rows: they wait for a signal
		this.db
			.sql("""
					INSERT INTO event_outbox (event_id, task_id, sequence, event_type, binding, payload, correlation_id)
					SELECT id, gen_random_uuid(), 1, 'task.created', 'task-events',
					       convert_to(json_build_object('specversion', '1.0', 'id', id, 'source', 'pakaura/api',
					                  'type', 'task.created', 'datacontenttype', 'application/json', 'data', '{}'::json)::text,
					                  'UTF8'),
					       :batch
					FROM (SELECT gen_random_uuid() AS id FROM generate_series(1, :tasks)) AS events""")
			.bind("batch", batch.toString())
			.bind("tasks", TASKS)
			.then()
			.block();
		try {
			this.db.sql("SELECT pg_notify('" + OutboxStore.CHANNEL + "', '')").then().block();
			await().atMost(Duration.ofSeconds(120))
				.untilAsserted(() -> assertThat(pending(batch)).as("rows of the backlog not yet delivered").isZero());
			assertThat(SIDECAR.delivered()).hasSize(TASKS);
		}
		finally {
			this.db.sql("DELETE FROM event_outbox WHERE correlation_id = :batch")
				.bind("batch", batch.toString())
				.then()
				.block();
		}
	}

	private long pending(UUID batch) {
		return this.db
			.sql("SELECT count(*) AS pending FROM event_outbox WHERE correlation_id = :batch AND delivered_at IS NULL")
			.bind("batch", batch.toString())
			.map((row) -> row.get("pending", Long.class))
			.one()
			.block();
	}

}
