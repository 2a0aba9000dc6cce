package com.pakaura.api.task;

import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * Told about the changes {@link TaskService} makes, so that the rest of the application
 * (the event publisher) learns of them without the task domain knowing about it.
 *
 * <p>
 * It hears of changes twice. First inside their transaction, while the rows they changed
 * are still locked: a task's next change cannot reach this point before the previous
 * one's transaction has ended, so this is the task's commit order. Then, through the
 * returned {@link Completion}, how that transaction ended. Both calls come on the
 * database driver's thread, the second from within the commit: implementations must
 * neither block (they would hold up the commit and every connection on that thread) nor
 * throw from the second (the request would fail although its change is committed). An
 * error from the first fails the transaction: nothing is committed.
 */
@FunctionalInterface
public interface TaskChangeListener {

	/**
	 * @param changes what the transaction is about to commit, in order; a request that
	 * changed nothing is {@link TaskChange.Kind#UNCHANGED}
	 * @param request the Reactor context of the request that made the changes
	 * (correlation id, trace context)
	 * @return what to tell once the transaction has ended; work it does through the
	 * application's {@code DatabaseClient} before it completes is part of the transaction
	 */
	Mono<Completion> changing(List<TaskChange> changes, ContextView request);

	/**
	 * Told of a new task before the one statement that writes it is sent, when that
	 * statement may run without a transaction around it; {@code null} (the default) when
	 * the listener needs the create's transaction (it writes with the change), and the
	 * create then runs as every change does, through {@link #changing}.
	 *
	 * <p>
	 * {@code BEGIN} and {@code COMMIT} are two of a create's three round trips to
	 * PostgreSQL: a fifth of the service's CPU per create and a third of PostgreSQL's
	 * (research.md R25). Without them the {@code INSERT} commits on its own; being told
	 * before it is sent is the new task's place in its commit order, since no other
	 * change of the task can begin before that statement has committed. (A change of an
	 * existing task cannot do without its transaction: two statements may reach its row
	 * in another order than they were sent, so its place is taken while it holds the
	 * row's lock.) It is called on the thread that subscribes to the creation, a
	 * request's event loop, and must not block either.
	 * @param intended the change as asked for; its timestamps are the service's clock,
	 * not yet the database's
	 * @param request the Reactor context of the request
	 * @return what to tell once the statement has ended; {@code null} to create in a
	 * transaction
	 */
	default @Nullable Creation creating(TaskChange intended, ContextView request) {
		return null;
	}

	/** How the transaction of the announced changes ended. */
	@FunctionalInterface
	interface Completion {

		void ended(TransactionEnd end);

	}

	/**
	 * How the statement that writes a new task ended; told once, on the database driver's
	 * thread, as {@link Completion} is, and under the same rules.
	 */
	interface Creation {

		/** The statement committed: the change as written, with the database's times. */
		void committed(TaskChange change);

		/**
		 * The statement failed: {@link TransactionEnd#ROLLED_BACK} when PostgreSQL
		 * refused it or it was never sent, {@link TransactionEnd#UNKNOWN} when its answer
		 * was lost (the row may be in).
		 */
		void failed(TransactionEnd end);

	}

	enum TransactionEnd {

		/** The changes are in the database. */
		COMMITTED,

		/** The changes never happened. */
		ROLLED_BACK,

		/**
		 * The commit failed in a way that leaves open whether the changes are in the
		 * database.
		 */
		UNKNOWN

	}

}
