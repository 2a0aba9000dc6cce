package com.pakaura.api.events;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Statement;
import io.r2dbc.spi.Wrapped;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Every statement on {@code event_outbox}, in the shape of Spring Modulith's
 * {@code EventPublicationRepository}: the writer and the relay say what to do, this says
 * how in SQL.
 *
 * <p>
 * One owner per task without a transaction held while the sidecar answers: a relay claims
 * a task by its oldest pending row for a lease ({@code claimed_until},
 * {@code claimed_by}) in one statement of its own, sends with no transaction open, and
 * records the outcomes and gives the claim back in one short transaction. Another relay
 * skips a claimed task until its claim is given back or its lease has run out, so a relay
 * that dies holds its tasks for one lease at most.
 */
class OutboxStore {

	/** PostgreSQL's channel for another process's commits. */
	static final String CHANNEL = "pakaura_event_outbox";

	private static final String COLUMNS_WRITTEN = "event_id, task_id, sequence, event_type, binding, payload,"
			+ " correlation_id, traceparent, tracestate";

	/** Parameters of one written row, bound in {@link #bind}'s order. */
	private static final int PARAMETERS_PER_ROW = 9;

	/**
	 * The column of the payload among a row's parameters: bound as text, and made bytea
	 * by the database.
	 */
	private static final int PAYLOAD_PARAMETER = 6;

	/**
	 * A change's rows, in one statement; with {@code claimed}, each claimed by the
	 * writing process's relay when no earlier change of its task is pending: that relay
	 * sends it from memory at the commit, and no other relay's round takes it meanwhile.
	 * A row behind a pending one is left to the rounds, which send a task's rows in
	 * order. One statement, so one snapshot: every row of a change gets the same answer
	 * (row by row, a change whose predecessor was delivered between two of its rows was
	 * split between the relay's memory and a round, which sent the claimed rows again).
	 * The earlier change's rows are committed and visible (the task's row lock orders the
	 * transactions), and this statement's own rows are not. The rows of new tasks are
	 * claimed without asking: a task created in this transaction has no earlier change.
	 * Asking is answered by the task's index ({@code event_outbox_pending_by_task}), the
	 * only pending index whose predicate it implies (V6): on the statistics of a drained
	 * queue the planner had chosen the id-only one, a scan of every entry, dead ones of
	 * the last fill included, 778 buffers and 2.5 ms of PostgreSQL per change
	 * (research.md R16).
	 */
	static String insert(int rows, boolean claimed, boolean newTasks) {
		StringBuilder values = new StringBuilder();
		for (int row = 0; row < rows; row++) {
			int first = row * PARAMETERS_PER_ROW;
			values.append((row > 0) ? ", " : "").append('(');
			for (int column = 1; column <= PARAMETERS_PER_ROW; column++) {
				String parameter = "$" + (first + column);
				values.append((column > 1) ? ", " : "")
					.append((column == PAYLOAD_PARAMETER) ? "convert_to(" + parameter + ", 'UTF8')" : parameter);
			}
			values.append(')');
		}
		int lease = rows * PARAMETERS_PER_ROW + 1;
		int relay = lease + 1;
		String rowsWritten = " FROM (VALUES " + values + ") AS v(" + COLUMNS_WRITTEN + ")";
		// whether the row's task has an earlier change pending, asked once per row:
		// OFFSET 0 keeps the planner from pulling the subquery up into each CASE that
		// reads it, which asked it twice
		String free = """
				CROSS JOIN LATERAL (SELECT NOT EXISTS (SELECT 1 FROM event_outbox e
				  WHERE e.task_id = v.task_id AND e.sequence < v.sequence
				    AND e.delivered_at IS NULL AND e.parked_at IS NULL) AS free OFFSET 0) AS line""";
		String claim;
		if (!claimed) {
			claim = "NULL::timestamptz, NULL::uuid" + rowsWritten;
		}
		else if (newTasks) {
			claim = "statement_timestamp() + make_interval(secs => $" + lease + "::float8), $" + relay + "::uuid"
					+ rowsWritten;
		}
		else {
			claim = "CASE WHEN line.free THEN statement_timestamp() + make_interval(secs => $" + lease
					+ "::float8) END, CASE WHEN line.free THEN $" + relay + "::uuid END" + rowsWritten + free;
		}
		return "INSERT INTO event_outbox (" + COLUMNS_WRITTEN + ", claimed_until, claimed_by) SELECT v.*, " + claim
				+ " RETURNING id, event_id, claimed_by IS NOT NULL AS claimed";
	}

	/**
	 * What a round reads of a row. The payload comes as text: r2dbc-postgresql receives
	 * bytea in PostgreSQL's text format, hex, and decodes it with a regular expression
	 * over the whole hex string ({@code AbstractBinaryCodec}), which took 7.7% of the
	 * relay's CPU; it is the structured CloudEvent, UTF-8 JSON, so {@code convert_from}
	 * gives the same bytes back.
	 */
	private static final String COLUMNS = "id, event_id, task_id, sequence, event_type, binding,"
			+ " convert_from(payload, 'UTF8') AS payload, correlation_id, traceparent, tracestate, attempts,"
			+ " EXTRACT(EPOCH FROM statement_timestamp() - created_at)::float8 AS age";

	/**
	 * Claims the oldest due row of up to {@code :limit} tasks that have no earlier
	 * pending row and no live claim, oldest first, on the id-only pending index, whose
	 * predicate ({@code next_attempt_at IS NOT NULL}, V6) only a statement comparing
	 * {@code next_attempt_at} implies. A row another relay's claim is writing is skipped;
	 * one it claimed after this statement began is rechecked as it is locked (READ
	 * COMMITTED reads a locked row's newest version) and fails on its live claim.
	 */
	static final String CLAIM = """
			WITH heads AS (
			  SELECT o.id FROM event_outbox o
			  WHERE o.delivered_at IS NULL AND o.parked_at IS NULL AND o.next_attempt_at <= statement_timestamp()
			    AND (o.claimed_until IS NULL OR o.claimed_until < statement_timestamp())
			    AND NOT EXISTS (SELECT 1 FROM event_outbox e WHERE e.task_id = o.task_id AND e.id < o.id
			                    AND e.delivered_at IS NULL AND e.parked_at IS NULL)
			  ORDER BY o.id
			  LIMIT :limit
			  FOR UPDATE OF o SKIP LOCKED)
			UPDATE event_outbox SET claimed_until = statement_timestamp() + make_interval(secs => :lease), claimed_by = :relay
			FROM heads WHERE event_outbox.id = heads.id
			RETURNING event_outbox.id, event_outbox.task_id""";

	/** The pending events of the claimed tasks, in each task's order. */
	private static final String LINES = """
			SELECT %s FROM (
			  SELECT o.*, row_number() OVER (PARTITION BY o.task_id ORDER BY o.id) AS place FROM event_outbox o
			  WHERE o.task_id = ANY(:tasks) AND o.delivered_at IS NULL AND o.parked_at IS NULL) AS line
			WHERE place <= :perTask
			ORDER BY task_id, id""".formatted(COLUMNS);

	private final DatabaseClient db;

	private final TransactionalOperator transaction;

	private final ConnectionFactory connections;

	/** Marks delivered rows, as {@code completion} says. */
	private final String complete;

	OutboxStore(DatabaseClient db, TransactionalOperator transaction, ConnectionFactory connections,
			EventsProperties properties) {
		this.db = db;
		this.transaction = transaction;
		this.connections = connections;
		this.complete = complete(properties.outbox().completion());
	}

	/**
	 * Delete: the tuple is only marked dead, and vacuum reclaims it. Update: a new
	 * version of the whole row, with new entries in its primary key, {@code event_id} and
	 * {@code event_outbox_delivered} indexes (no HOT update: {@code delivered_at} is in
	 * the partial indexes' predicates), and a purge later deletes it anyway. A row
	 * another relay delivered meanwhile (this one's lease ran out) is no longer there, or
	 * no longer undelivered: left as it is, and not counted again.
	 */
	private static String complete(EventsProperties.Completion completion) {
		return switch (completion) {
			case DELETE -> "DELETE FROM event_outbox WHERE id = ANY(:ids) AND delivered_at IS NULL";
			case UPDATE -> "UPDATE event_outbox SET delivered_at = statement_timestamp(), attempts = attempts + 1,"
					+ " last_error = NULL, claimed_until = NULL, claimed_by = NULL"
					+ " WHERE id = ANY(:ids) AND delivered_at IS NULL";
		};
	}

	/**
	 * Writes a change's rows in the caller's transaction, claimed for {@code claim}'s
	 * relay where no earlier change of their task is pending ({@code null}: none
	 * claimed); what each row became, by event id.
	 * @param newTasks whether every row is of a task created in the caller's transaction,
	 * which no earlier change can have
	 */
	Mono<Map<UUID, Written>> write(List<OutboxRow> rows, @Nullable WriteClaim claim, boolean newTasks) {
		return this.db.inConnectionMany((connection) -> {
			Statement insert = connection.createStatement(insert(rows.size(), claim != null, newTasks));
			for (int i = 0; i < rows.size(); i++) {
				bind(insert, i * PARAMETERS_PER_ROW, rows.get(i));
			}
			if (claim != null) {
				int lease = rows.size() * PARAMETERS_PER_ROW;
				insert.bind(lease, seconds(claim.lease())).bind(lease + 1, claim.relay());
			}
			return Flux.from(insert.execute())
				.concatMap((result) -> result.map((row) -> new Written(row.get("id", Long.class),
						row.get("event_id", UUID.class), Boolean.TRUE.equals(row.get("claimed", Boolean.class)))));
		}).collectMap(Written::eventId);
	}

	/** Tells the relays of other processes, once the caller's transaction commits. */
	Mono<Void> announce() {
		return this.db.sql("SELECT pg_notify('" + CHANNEL + "', '')").then();
	}

	/**
	 * Claims up to {@code limit} tasks for {@code lease}, by their oldest pending row.
	 */
	Mono<List<Claimed>> claim(UUID relay, int limit, Duration lease) {
		return this.db.sql(CLAIM)
			.bind("limit", limit)
			.bind("lease", seconds(lease))
			.bind("relay", relay)
			.map((row) -> new Claimed(row.get("id", Long.class), row.get("task_id", UUID.class)))
			.all()
			.collectList();
	}

	/** Extends this relay's claims on these rows; the ones it still held. */
	Mono<Set<Long>> renew(UUID relay, Long[] ids, Duration lease) {
		return this.db
			.sql("UPDATE event_outbox SET claimed_until = statement_timestamp() + make_interval(secs => :lease)"
					+ " WHERE id = ANY(:ids) AND claimed_by = :relay AND delivered_at IS NULL RETURNING id")
			.bind("lease", seconds(lease))
			.bind("ids", ids)
			.bind("relay", relay)
			.map((row) -> row.get("id", Long.class))
			.all()
			.collect(Collectors.toSet());
	}

	/** Up to {@code perTask} pending events of each task, in each task's order. */
	Mono<List<Row>> lines(UUID[] tasks, int perTask) {
		return this.db.sql(LINES)
			.bind("tasks", tasks)
			.bind("perTask", perTask)
			.map(OutboxStore::rowOf)
			.all()
			.collectList();
	}

	/**
	 * In one transaction: completes the delivered rows (which gives their claims back),
	 * records each failure, and gives this relay's other {@code claims} back. How many
	 * rows it completed: not those another relay completed first.
	 */
	Mono<Long> record(UUID relay, Long[] delivered, List<Failure> failures, Long[] claims) {
		Mono<Long> deliveries = (delivered.length == 0) ? Mono.just(0L)
				: this.db.sql(this.complete).bind("ids", delivered).fetch().rowsUpdated();
		Mono<Void> recordFailures = Flux.fromIterable(failures)
			.concatMap((failure) -> this.db.sql("""
					UPDATE event_outbox SET attempts = :attempts, last_error = :error,
					  next_attempt_at = statement_timestamp() + make_interval(secs => :delay),
					  parked_at = CASE WHEN :park THEN statement_timestamp() END
					WHERE id = :id AND delivered_at IS NULL""")
				.bind("attempts", failure.attempts())
				.bind("error", failure.error())
				.bind("delay", seconds(failure.retryAfter()))
				.bind("park", failure.park())
				.bind("id", failure.id())
				.then())
			.then();
		Mono<Void> release = (claims.length == 0) ? Mono.empty()
				: this.db
					.sql("UPDATE event_outbox SET claimed_until = NULL, claimed_by = NULL"
							+ " WHERE id = ANY(:claims) AND claimed_by = :relay")
					.bind("claims", claims)
					.bind("relay", relay)
					.then();
		Mono<Long> all = deliveries.flatMap((completed) -> recordFailures.then(release).thenReturn(completed));
		// one statement is atomic alone: the transaction's BEGIN and COMMIT would be two
		// more round trips for nothing (the common case: every row delivered)
		int statements = ((delivered.length > 0) ? 1 : 0) + failures.size() + ((claims.length > 0) ? 1 : 0);
		return (statements > 1) ? all.as(this.transaction::transactional) : all;
	}

	/** One look at the table, for the gauges and for operators. */
	Mono<Counts> counts() {
		return this.db.sql("""
				SELECT count(*) FILTER (WHERE delivered_at IS NULL AND parked_at IS NULL) AS pending,
				       count(*) FILTER (WHERE parked_at IS NOT NULL) AS parked,
				       min(created_at) FILTER (WHERE delivered_at IS NULL AND parked_at IS NULL) AS oldest_pending,
				       statement_timestamp() AS now
				FROM event_outbox WHERE delivered_at IS NULL""")
			.map((row) -> new Counts(row.get("pending", Long.class), row.get("parked", Long.class),
					row.get("oldest_pending", Instant.class), row.get("now", Instant.class)))
			.one();
	}

	/**
	 * Whether the server's autovacuum runs: without it the rows a delivery deletes (or
	 * updates) are never reclaimed, the table only grows, and a statement whose plan was
	 * made while it was small scans all of them.
	 */
	Mono<Boolean> autovacuum() {
		return this.db.sql("SELECT current_setting('autovacuum') = 'on' AS on")
			.map((row) -> Boolean.TRUE.equals(row.get("on", Boolean.class)))
			.one();
	}

	/** The first parked events, oldest first, with their last error. */
	Mono<List<Map<String, Object>>> parked(int limit) {
		return this.db.sql("""
				SELECT event_id, task_id, event_type, sequence, attempts, last_error, parked_at
				FROM event_outbox WHERE parked_at IS NOT NULL ORDER BY id LIMIT :limit""")
			.bind("limit", limit)
			.fetch()
			.all()
			.collectList();
	}

	/**
	 * Parked events back in line, one or all ({@code eventId} {@code null}); how many.
	 */
	Mono<Long> resubmit(@Nullable UUID eventId) {
		String sql = "UPDATE event_outbox SET parked_at = NULL, attempts = 0, next_attempt_at = statement_timestamp()"
				+ " WHERE parked_at IS NOT NULL" + ((eventId != null) ? " AND event_id = :eventId" : "");
		DatabaseClient.GenericExecuteSpec update = this.db.sql(sql);
		if (eventId != null) {
			update = update.bind("eventId", eventId);
		}
		return update.fetch().rowsUpdated();
	}

	/** Deletes up to 10,000 rows delivered longer than {@code retention} ago. */
	Mono<Long> purge(Duration retention) {
		return this.db
			.sql("""
					DELETE FROM event_outbox WHERE id IN (
					  SELECT id FROM event_outbox WHERE delivered_at < statement_timestamp() - make_interval(secs => :retention)
					  LIMIT 10000)""")
			.bind("retention", (double) retention.toSeconds())
			.fetch()
			.rowsUpdated();
	}

	/**
	 * Another process's commits: {@code LISTEN} on a connection of its own. Reconnects
	 * with backoff when it is lost; the relay's polling covers the gap.
	 */
	Flux<Boolean> notifications() {
		return Flux.usingWhen(Mono.from(this.connections.create()), (connection) -> {
			PostgresqlConnection postgres = postgresOf(connection);
			if (postgres == null) {
				return Flux.<Boolean>never();
			}
			return postgres.createStatement("LISTEN " + CHANNEL)
				.execute()
				.flatMap((result) -> result.getRowsUpdated())
				.thenMany(postgres.getNotifications().map((notification) -> Boolean.TRUE));
		}, Connection::close)
			.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1)).maxBackoff(Duration.ofSeconds(30)));
	}

	private static @Nullable PostgresqlConnection postgresOf(Connection connection) {
		Object candidate = connection;
		while (!(candidate instanceof PostgresqlConnection) && candidate instanceof Wrapped<?> wrapped) {
			candidate = wrapped.unwrap();
		}
		return (candidate instanceof PostgresqlConnection postgres) ? postgres : null;
	}

	private static double seconds(Duration duration) {
		return duration.toMillis() / 1000.0;
	}

	private static void bind(Statement insert, int first, OutboxRow row) {
		insert.bind(first, row.eventId())
			.bind(first + 1, row.taskId())
			.bind(first + 2, row.sequence())
			.bind(first + 3, row.eventType())
			.bind(first + 4, row.binding())
			// as text, not bytea, which the driver would send as hex, twice its size
			.bind(first + PAYLOAD_PARAMETER - 1, new String(row.payload(), StandardCharsets.UTF_8))
			.bind(first + 6, row.correlationId());
		bindNullable(insert, first + 7, row.traceparent());
		bindNullable(insert, first + 8, row.tracestate());
	}

	private static void bindNullable(Statement insert, int index, @Nullable String value) {
		if (value != null) {
			insert.bind(index, value);
		}
		else {
			insert.bindNull(index, String.class);
		}
	}

	private static Row rowOf(Readable row) {
		long read = System.nanoTime();
		byte[] bytes = row.get("payload", String.class).getBytes(StandardCharsets.UTF_8);
		return new Row(row.get("id", Long.class), row.get("event_id", UUID.class), row.get("task_id", UUID.class),
				row.get("sequence", Long.class), row.get("event_type", String.class), row.get("binding", String.class),
				bytes, row.get("correlation_id", String.class), row.get("traceparent", String.class),
				row.get("tracestate", String.class), row.get("attempts", Integer.class),
				read - (long) (row.get("age", Double.class) * 1e9));
	}

	/** One event as the writer stores it. */
	record OutboxRow(UUID eventId, UUID taskId, long sequence, String eventType, String binding, byte[] payload,
			String correlationId, @Nullable String traceparent, @Nullable String tracestate) {

		/**
		 * The row as the relay sends it, once written as {@code id} by a statement that
		 * began at {@code writtenAt}.
		 */
		Row written(long id, long writtenAt) {
			return new Row(id, this.eventId, this.taskId, this.sequence, this.eventType, this.binding, this.payload,
					this.correlationId, this.traceparent, this.tracestate, 0, writtenAt);
		}

	}

	/**
	 * Rows written for a relay of this process, which claims them for {@code lease}.
	 */
	record WriteClaim(UUID relay, Duration lease) {

	}

	/** A row as written: its id, and whether it was claimed for the writing relay. */
	record Written(long id, UUID eventId, boolean claimed) {

	}

	/** A task claimed by its oldest pending row. */
	record Claimed(long head, UUID taskId) {

	}

	/**
	 * One pending row as the relay sends it.
	 *
	 * @param writtenAt when it was written, on this process's {@link System#nanoTime()}:
	 * where the delivery lag starts
	 */
	record Row(long id, UUID eventId, UUID taskId, long sequence, String eventType, String binding, byte[] payload,
			@Nullable String correlationId, @Nullable String traceparent, @Nullable String tracestate, int attempts,
			long writtenAt) {

	}

	/**
	 * A send that did not end in delivery: its attempt count, why, when to try again, and
	 * whether it is set aside for an operator instead.
	 */
	record Failure(long id, int attempts, String error, Duration retryAfter, boolean park) {

	}

	/**
	 * @param oldestPending when the oldest waiting event was written; {@code null} when
	 * none waits
	 * @param now the database's clock, which wrote it
	 */
	record Counts(long pending, long parked, @Nullable Instant oldestPending, Instant now) {

		Duration oldestPendingAge() {
			return (this.oldestPending != null) ? Duration.between(this.oldestPending, this.now) : Duration.ZERO;
		}

	}

}
