package com.pakaura.api.events;

/**
 * How the relay's send of one event ended, as the relay acts on it: delivered, tried
 * again later, or parked. Decided by the binder ({@link BinderSends} reads its verdict),
 * never by the relay.
 *
 * @param verdict what to do next
 * @param outcome as the binder counts it ({@code success}, {@code http_error},
 * {@code unavailable}, {@code unknown}, ...), or {@code not_accepted} when the binding
 * did not take the message
 * @param description the outcome with what the sidecar or the binder said, for the row's
 * {@code last_error}
 */
record SendResult(Verdict verdict, String outcome, String description) {

	static SendResult notAccepted(String why) {
		return new SendResult(Verdict.RETRYABLE, "not_accepted", "not_accepted: " + why);
	}

	/**
	 * Published, or nothing will ever leave (the binder is disabled): the row is done.
	 */
	boolean done() {
		return this.verdict == Verdict.PUBLISHED || this.verdict == Verdict.DISABLED;
	}

	enum Verdict {

		/** The sidecar answered 2xx: the broker has it. */
		PUBLISHED,

		/** Not published, or not known to be: sending it again may succeed. */
		RETRYABLE,

		/** Sending it again will fail the same way: park it after a few attempts. */
		PERMANENT,

		/** The binder is turned off: nothing leaves the process, by choice. */
		DISABLED

	}

}
