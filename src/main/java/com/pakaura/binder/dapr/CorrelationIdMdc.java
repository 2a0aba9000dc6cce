package com.pakaura.binder.dapr;

import org.slf4j.MDC;

/**
 * The binder's log lines name the message's correlation id (its Spring Integration
 * {@code correlationId} header) under the MDC key {@value #KEY}, as the service's own
 * lines do.
 */
final class CorrelationIdMdc {

	static final String KEY = "correlation_id";

	private CorrelationIdMdc() {
	}

	/**
	 * Runs the action with the publication's correlation id in the MDC, restoring what
	 * was there before (the caller's thread may already carry it).
	 */
	static void around(DaprPublication publication, Runnable action) {
		if (publication.correlationId() == null) {
			action.run();
			return;
		}
		String previous = MDC.get(KEY);
		MDC.put(KEY, publication.correlationId());
		try {
			action.run();
		}
		finally {
			if (previous != null) {
				MDC.put(KEY, previous);
			}
			else {
				MDC.remove(KEY);
			}
		}
	}

}
