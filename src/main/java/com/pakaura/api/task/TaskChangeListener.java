package com.pakaura.api.task;

import reactor.util.context.ContextView;

/**
 * Told about every change {@link TaskService} has committed, in commit order per request. This
 * is how the rest of the application (the event publisher) learns of changes without the task
 * domain knowing about it.
 *
 * <p>
 * Called from within the commit, on the database driver's thread: implementations must
 * neither block (they would hold up the commit and every connection on that thread) nor throw
 * (the request would fail although its change is committed).
 */
@FunctionalInterface
public interface TaskChangeListener {

	/**
	 * @param change what was committed; {@link TaskChange.Kind#UNCHANGED} for a request that
	 * changed nothing
	 * @param request the Reactor context of the request that made the change (correlation
	 * id, trace context)
	 */
	void committed(TaskChange change, ContextView request);

}
