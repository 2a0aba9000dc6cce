package com.pakaura.api.task;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.pakaura.api.support.ApiTest;
import com.pakaura.api.task.TaskChangeListener.TransactionEnd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How a new task is written and told: in one statement without a transaction where the
 * listener allows it, its place in the task's commit order taken before that statement is
 * sent; in a transaction, through {@link TaskChangeListener#changing}, where the listener
 * writes with the change. Against the real PostgreSQL, with a listener that writes down
 * what it is told.
 */
@ApiTest
class TaskCreationTest {

	@Autowired
	private TaskRepository repository;

	@Autowired
	private TransactionalOperator transaction;

	@Autowired
	private DatabaseClient db;

	@Test
	void aNewTaskTakesItsPlaceBeforeItsStatementIsSentAndHearsThatItCommitted() {
		Told told = new Told(this.db, true);

		TaskChange change = createWith(told);

		UUID id = change.task().id();
		assertThat(told.lines).containsExactly("creating " + id + ": rows 0, in a transaction false",
				"committed " + id + " at " + change.at());
		assertThat(change.at()).as("the database's time, not the service's")
			.isEqualTo(this.db.sql("SELECT updated_at FROM tasks WHERE id = :id")
				.bind("id", id)
				.map((row) -> row.get(0, Instant.class))
				.one()
				.block());
	}

	@Test
	void aListenerThatWritesWithTheChangeHearsOfANewTaskInsideItsTransaction() {
		Told told = new Told(this.db, false);

		UUID id = createWith(told).task().id();
		assertThat(told.lines).containsExactly("creating " + id + ": rows 0, in a transaction false",
				"changing " + id + ": in a transaction true", "ended COMMITTED");
	}

	@Test
	void aNewTaskThatNeverReachedTheDatabaseIsToldItWasRolledBack() {
		ConnectionFactory unreachable = ConnectionFactories.get("r2dbc:postgresql://postgres@127.0.0.1:1/none");
		Told told = new Told(null, true);
		TaskService service = new TaskService(new TaskRepository(DatabaseClient.create(unreachable)),
				TransactionalOperator.create(new R2dbcTransactionManager(unreachable)), told);

		assertThatThrownBy(() -> service.create("creation", new NewTask("Lost", null, null)).block())
			.isInstanceOf(DataAccessResourceFailureException.class);
		assertThat(told.lines).hasSize(2).last().isEqualTo("failed ROLLED_BACK");
	}

	@Test
	void aStatementPostgreSqlAnsweredWithAnErrorWasRolledBackAndOneWhoseAnswerWasLostMayHaveCommitted() {
		assertThat(TaskService.statementEnd(new DataIntegrityViolationException("insert",
				new R2dbcDataIntegrityViolationException("duplicate key", "23505"))))
			.isEqualTo(TransactionEnd.ROLLED_BACK);
		assertThat(TaskService.statementEnd(new R2dbcNonTransientResourceException("terminating connection", "57P01")))
			.isEqualTo(TransactionEnd.ROLLED_BACK);
		// the driver's own SQLSTATE for a connection it lost
		assertThat(TaskService.statementEnd(new DataAccessResourceFailureException("insert",
				new R2dbcNonTransientResourceException("Connection unexpectedly closed", "08006"))))
			.isEqualTo(TransactionEnd.UNKNOWN);
		assertThat(TaskService.statementEnd(new R2dbcTimeoutException("timed out"))).isEqualTo(TransactionEnd.UNKNOWN);
		assertThat(TaskService.statementEnd(new IllegalStateException("anything else")))
			.isEqualTo(TransactionEnd.UNKNOWN);
	}

	private TaskChange createWith(TaskChangeListener listener) {
		return new TaskService(this.repository, this.transaction, listener)
			.create("creation-" + UUID.randomUUID(), new NewTask("First", null, null))
			.block();
	}

	/**
	 * Writes down each call; when told of a new task, whether its row exists yet and
	 * whether a transaction is under way.
	 */
	private static final class Told implements TaskChangeListener {

		private final List<String> lines = new CopyOnWriteArrayList<>();

		private final @Nullable DatabaseClient db;

		private final boolean withoutTransaction;

		Told(@Nullable DatabaseClient db, boolean withoutTransaction) {
			this.db = db;
			this.withoutTransaction = withoutTransaction;
		}

		@Override
		public @Nullable Creation creating(TaskChange intended, ContextView request) {
			UUID id = intended.task().id();
			// called on the thread that subscribed, the test's: it may block
			Long rows = (this.db != null) ? this.db.sql("SELECT count(*) FROM tasks WHERE id = :id")
				.bind("id", id)
				.map((row) -> row.get(0, Long.class))
				.one()
				.block() : Long.valueOf(0);
			this.lines.add("creating " + id + ": rows " + rows + ", in a transaction "
					+ inTransaction().contextWrite(request).block());
			if (!this.withoutTransaction) {
				return null;
			}
			return new Creation() {

				@Override
				public void committed(TaskChange change) {
					Told.this.lines.add("committed " + change.task().id() + " at " + change.at());
				}

				@Override
				public void failed(TransactionEnd end) {
					Told.this.lines.add("failed " + end);
				}

			};
		}

		@Override
		public Mono<Completion> changing(List<TaskChange> changes, ContextView request) {
			return inTransaction().map((inTransaction) -> {
				this.lines.add("changing " + changes.get(0).task().id() + ": in a transaction " + inTransaction);
				return (end) -> this.lines.add("ended " + end);
			});
		}

		private static Mono<Boolean> inTransaction() {
			return TransactionSynchronizationManager.forCurrentTransaction().hasElement().onErrorReturn(false);
		}

	}

}
