package com.pakaura.api.task;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import io.r2dbc.spi.R2dbcException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionSynchronization;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * The task use cases. Each mutation runs in one transaction (a creation, where the
 * listener allows, in its one statement) and emits, once committed, the
 * {@link TaskChange} it made, which the {@link TaskChangeListener} hears of first, in the
 * task's commit order; a request that changes nothing emits
 * {@link TaskChange.Kind#UNCHANGED} and writes nothing. A task of another user behaves
 * exactly like a missing one.
 */
@Service
public class TaskService {

	/** The most completed tasks one {@link #clearCompleted} deletes. */
	public static final int CLEAR_COMPLETED_LIMIT = 1000;

	private final TaskRepository tasks;

	private final TransactionalOperator transaction;

	private final TaskChangeListener listener;

	TaskService(TaskRepository tasks, TransactionalOperator transaction, TaskChangeListener listener) {
		this.tasks = tasks;
		this.transaction = transaction;
		this.listener = listener;
	}

	/**
	 * Writes the new task in one statement without a transaction around it where the
	 * listener allows ({@link TaskChangeListener#creating}), in a transaction otherwise.
	 */
	public Mono<TaskChange> create(String userId, NewTask task) {
		UUID id = UUID.randomUUID();
		return Mono.deferContextual((request) -> {
			Instant now = Instant.now();
			TaskChange intended = TaskChange
				.created(new Task(id, userId, task.title(), task.description(), false, task.dueDate(), 1, now, now));
			AtomicBoolean sent = new AtomicBoolean();
			Mono<TaskChange> insert = this.tasks.insert(id, userId, task, () -> sent.set(true))
				.map(TaskChange::created);
			// nothing below throws before the statement is subscribed:
			// a place taken is always ended
			TaskChangeListener.Creation creation = this.listener.creating(intended, request);
			if (creation == null) {
				return commit(insert);
			}
			return insert.doOnSuccess((change) -> {
				if (change != null) {
					creation.committed(change);
				}
				else {
					// INSERT ... RETURNING answers a row or an error; should it not,
					// the task's line must still move on
					creation.failed(TaskChangeListener.TransactionEnd.UNKNOWN);
				}
			})
				.doOnError((error) -> creation
					.failed(sent.get() ? statementEnd(error) : TaskChangeListener.TransactionEnd.ROLLED_BACK))
				.as(TaskService::runToItsEnd);
		});
	}

	public Mono<Task> get(String userId, UUID taskId) {
		return this.tasks.find(taskId, userId).switchIfEmpty(notFound(taskId));
	}

	/**
	 * One page of the user's tasks, newest first.
	 * @param completed only tasks in this state; {@code null} for all
	 * @param after the cursor of the previous page; {@code null} for the first page
	 * @param limit 1 to {@link TaskPage#MAX_LIMIT}
	 */
	public Mono<TaskPage> list(String userId, @Nullable Boolean completed, TaskPage.@Nullable Cursor after, int limit) {
		if (limit < 1 || limit > TaskPage.MAX_LIMIT) {
			return Mono.error(TaskValidationException.of("limit", "must be between 1 and " + TaskPage.MAX_LIMIT));
		}
		// One row more than asked tells whether another page follows.
		return this.tasks.list(userId, completed, after, limit + 1).collectList().map((rows) -> {
			if (rows.size() <= limit) {
				return new TaskPage(rows, null);
			}
			List<Task> page = rows.subList(0, limit);
			return new TaskPage(List.copyOf(page), TaskPage.Cursor.after(page.get(limit - 1)));
		});
	}

	public Mono<TaskChange> edit(String userId, UUID taskId, TaskEdit edit) {
		return mutate(userId, taskId, (before) -> {
			Task edited = edit.applyTo(before);
			return edited.equals(before) ? null : edited;
		}, TaskChange.Kind.UPDATED);
	}

	public Mono<TaskChange> complete(String userId, UUID taskId) {
		return setCompleted(userId, taskId, true);
	}

	public Mono<TaskChange> uncomplete(String userId, UUID taskId) {
		return setCompleted(userId, taskId, false);
	}

	public Mono<TaskChange> delete(String userId, UUID taskId) {
		return commit(this.tasks.delete(taskId, userId).switchIfEmpty(notFound(taskId)));
	}

	/**
	 * Deletes up to {@link #CLEAR_COMPLETED_LIMIT} completed tasks of the user, oldest
	 * first, in one transaction; each deletion is then told to the listener like a single
	 * delete. The limit keeps one call's transaction, and its burst of two or three
	 * events per task, bounded whatever the number of tasks.
	 */
	public Mono<ClearedTasks> clearCompleted(String userId) {
		return this.tasks.deleteCompleted(userId, CLEAR_COMPLETED_LIMIT)
			.collectList()
			.flatMap((changes) -> announceBeforeCommit(changes).then(this.tasks.countCompleted(userId))
				.map((remaining) -> new ClearedTasks(changes, remaining)))
			.as(this.transaction::transactional)
			.as(TaskService::runToItsEnd);
	}

	/**
	 * @param deleted one change per deleted task
	 * @param remaining completed tasks left for another call
	 */
	public record ClearedTasks(List<TaskChange> deleted, long remaining) {

	}

	private Mono<TaskChange> setCompleted(String userId, UUID taskId, boolean completed) {
		return mutate(userId, taskId,
				(before) -> (before.completed() == completed) ? null : withCompleted(before, completed),
				completed ? TaskChange.Kind.COMPLETED : TaskChange.Kind.UNCOMPLETED);
	}

	/**
	 * Locks the row, asks {@code change} for the row it should become ({@code null}:
	 * nothing to do), and writes it.
	 */
	private Mono<TaskChange> mutate(String userId, UUID taskId, Mutation change, TaskChange.Kind kind) {
		return commit(this.tasks.findForUpdate(taskId, userId).switchIfEmpty(notFound(taskId)).flatMap((before) -> {
			Task wanted = change.apply(before);
			if (wanted == null) {
				return Mono.just(TaskChange.unchanged(before));
			}
			return this.tasks.update(wanted).map((after) -> TaskChange.updated(before, after, kind));
		}));
	}

	/**
	 * Runs the work in a transaction whose changes the listener hears of in commit order,
	 * and runs it to its end once started.
	 */
	private Mono<TaskChange> commit(Mono<TaskChange> work) {
		return work.flatMap((change) -> announceBeforeCommit(List.of(change)).thenReturn(change))
			.as(this.transaction::transactional)
			.as(TaskService::runToItsEnd);
	}

	/**
	 * Tells the listener about the changes while their rows are still locked, and
	 * registers a synchronization that tells it how the transaction ended.
	 */
	private Mono<Void> announceBeforeCommit(List<TaskChange> changes) {
		return Mono.deferContextual((request) -> TransactionSynchronizationManager.forCurrentTransaction()
			.flatMap((synchronizations) -> this.listener.changing(changes, request)
				.doOnNext((completion) -> synchronizations.registerSynchronization(new TransactionSynchronization() {

					@Override
					public Mono<Void> afterCompletion(int status) {
						return Mono.fromRunnable(() -> completion.ended(switch (status) {
							case STATUS_COMMITTED -> TaskChangeListener.TransactionEnd.COMMITTED;
							case STATUS_ROLLED_BACK -> TaskChangeListener.TransactionEnd.ROLLED_BACK;
							default -> TaskChangeListener.TransactionEnd.UNKNOWN;
						}));
					}

				})))
			.then());
	}

	/**
	 * A mutation, once started, runs to its end even when its caller goes away (a client
	 * hanging up cancels its WebFlux request). Otherwise a cancel that lands while
	 * PostgreSQL commits leaves the outcome of the transaction untold: the change may be
	 * committed while the listener never hears how the transaction ended, and a task's
	 * later changes would wait behind it. The work keeps the caller's context.
	 */
	private static <T> Mono<T> runToItsEnd(Mono<T> work) {
		return Mono.deferContextual((request) -> Mono.fromFuture(work.contextWrite(request).toFuture(), true));
	}

	/**
	 * How a statement that was sent without a transaction and failed ended. An error
	 * PostgreSQL answered (it carries a SQLSTATE) means the statement, its own
	 * transaction, was rolled back: an error raised once the commit is written is a
	 * PANIC, not an answer. Anything else leaves open whether it committed: a lost
	 * connection (the driver gives it SQLSTATE class 08, connection exception, itself), a
	 * timeout.
	 */
	static TaskChangeListener.TransactionEnd statementEnd(Throwable error) {
		for (Throwable cause = error; cause != null; cause = cause.getCause()) {
			String state = (cause instanceof R2dbcException r2dbc) ? r2dbc.getSqlState() : null;
			if (state != null) {
				return state.startsWith("08") ? TaskChangeListener.TransactionEnd.UNKNOWN
						: TaskChangeListener.TransactionEnd.ROLLED_BACK;
			}
		}
		return TaskChangeListener.TransactionEnd.UNKNOWN;
	}

	private static Task withCompleted(Task task, boolean completed) {
		return new Task(task.id(), task.userId(), task.title(), task.description(), completed, task.dueDate(),
				task.version(), task.createdAt(), task.updatedAt());
	}

	private static <T> Mono<T> notFound(UUID taskId) {
		return Mono.error(() -> new TaskNotFoundException(taskId));
	}

	@FunctionalInterface
	private interface Mutation {

		@Nullable Task apply(Task before);

	}

}
