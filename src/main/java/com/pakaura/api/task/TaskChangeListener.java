package com.pakaura.api.task;

import java.util.List;

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

	/** How the transaction of the announced changes ended. */
	@FunctionalInterface
	interface Completion {

		void ended(TransactionEnd end);

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
