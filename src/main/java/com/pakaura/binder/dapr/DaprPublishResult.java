package com.pakaura.binder.dapr;

import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

/**
 * How the publish of one message ended, for a sender that asks on a binding with
 * {@code use-confirm-header} on: put a {@code CompletableFuture<DaprPublishResult>} in
 * the message's {@value #CONFIRMATION_HEADER} header, and the binder completes it once
 * the outcome is final (after its own retries within {@code timeout}); in a bulk request,
 * each entry's own. It is never completed exceptionally. Senders that do not ask, and
 * bindings without the property, keep fire-and-forget.
 *
 * @param outcome as counted in {@code dapr.publish}: {@code success}, {@code http_error},
 * {@code unavailable}, {@code unknown}, {@code dropped}, {@code too_large}; or
 * {@code disabled} when the binder is turned off and nothing leaves the process
 * @param verdict what a sender that keeps the message should do next, decided by the
 * binder from the same facts it classified the outcome by
 * @param status the sidecar's HTTP status; 0 when it did not answer
 * @param errorCode the sidecar's {@code errorCode}
 * @param message the sidecar's message, or what went wrong on the binder's side
 */
public record DaprPublishResult(String outcome, Verdict verdict, int status, @Nullable String errorCode,
		@Nullable String message) {

	/**
	 * The message header that carries the sender's
	 * {@code CompletableFuture<DaprPublishResult>}.
	 */
	public static final String CONFIRMATION_HEADER = "daprPublishConfirmation";

	/** What a sender that keeps the message should do with it. */
	public enum Verdict {

		/** The sidecar answered 2xx: the broker has it. */
		PUBLISHED,

		/**
		 * Not published, or not known to be: the sidecar could not be reached, answered
		 * 5xx (a broker failure), never answered, or the buffer was full. Sending it
		 * again may succeed, and may duplicate it (same {@code id}).
		 */
		RETRYABLE,

		/**
		 * Sending it again will fail the same way: the sidecar refused the message itself
		 * (4xx, or 500 {@code ERR_PUBSUB_CLOUD_EVENTS_SER}) or it is too large.
		 */
		PERMANENT,

		/** The binder is turned off: nothing leaves the process, by choice. */
		DISABLED

	}

	/** The sidecar answered 2xx: the broker has the event. */
	public boolean published() {
		return this.verdict == Verdict.PUBLISHED;
	}

	/** Sending it again will fail the same way. */
	public boolean permanent() {
		return this.verdict == Verdict.PERMANENT;
	}

	static DaprPublishResult of(PublishOutcome outcome) {
		Verdict verdict = switch (outcome.kind()) {
			case SUCCESS -> Verdict.PUBLISHED;
			case DISABLED -> Verdict.DISABLED;
			case TOO_LARGE -> Verdict.PERMANENT;
			case HTTP_ERROR -> outcome.transientFailure() ? Verdict.RETRYABLE : Verdict.PERMANENT;
			case UNAVAILABLE, UNKNOWN, DROPPED -> Verdict.RETRYABLE;
		};
		return new DaprPublishResult(outcome.kind().tag(), verdict, outcome.status(), outcome.errorCode(),
				outcome.message());
	}

	/**
	 * Completes the sender's future, if the message carries one and its binding confirms.
	 */
	static void confirm(DaprPublication publication, PublishOutcome outcome) {
		if (publication.confirms()
				&& publication.message().getHeaders().get(CONFIRMATION_HEADER) instanceof CompletableFuture<?> future) {
			@SuppressWarnings("unchecked")
			CompletableFuture<DaprPublishResult> confirmation = (CompletableFuture<DaprPublishResult>) future;
			confirmation.complete(of(outcome));
		}
	}

}
