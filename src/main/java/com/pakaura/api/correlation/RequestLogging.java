package com.pakaura.api.correlation;

import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * Logs in a request's name: with its correlation id and trace ({@code trace.id},
 * {@code span.id}) in the logging MDC, whatever thread it runs on. Reactor restores
 * thread-locals only where it is asked to
 * ({@code spring.reactor.context-propagation=limited}): restoring them around every
 * operator of every request was a third of the service's CPU. The few places that log for
 * a request ask here.
 */
public final class RequestLogging {

	private static final ContextSnapshotFactory SNAPSHOTS = ContextSnapshotFactory.builder().build();

	private RequestLogging() {
	}

	/** Runs the logging with the thread-locals of this Reactor context. */
	public static void inContextOf(ContextView request, Runnable logging) {
		try (ContextSnapshot.Scope scope = SNAPSHOTS.setThreadLocalsFrom(request)) {
			logging.run();
		}
	}

	/** Logs, when subscribed, in the context of its subscriber: the request's. */
	public static Mono<Void> log(Runnable logging) {
		return Mono.deferContextual((request) -> {
			inContextOf(request, logging);
			return Mono.empty();
		});
	}

}
