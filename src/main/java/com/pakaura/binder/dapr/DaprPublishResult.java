package com.pakaura.binder.dapr;

import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

/**
 * How the publish of one message ended, for a sender that asks: put a
 * {@code CompletableFuture<DaprPublishResult>} in the message's
 * {@value #CONFIRMATION_HEADER} header, and the binder completes it once the outcome is
 * final (after its own retries within {@code timeout}). It is never completed
 * exceptionally. Senders that do not ask keep fire-and-forget.
 *
 * @param outcome as counted in {@code dapr.publish}: {@code success}, {@code http_error},
 * {@code unavailable}, {@code unknown}, {@code dropped}, {@code too_large}; or
 * {@code disabled} when the binder is turned off and nothing leaves the process
 * @param status the sidecar's HTTP status; 0 when it did not answer
 * @param errorCode the sidecar's {@code errorCode}
 * @param message the sidecar's message, or what went wrong on the binder's side
 */
public record DaprPublishResult(String outcome, int status, @Nullable String errorCode, @Nullable String message) {

	/**
	 * The message header that carries the sender's
	 * {@code CompletableFuture<DaprPublishResult>}.
	 */
	public static final String CONFIRMATION_HEADER = "daprPublishConfirmation";

	/** The sidecar answered 2xx: the broker has the event. */
	public boolean published() {
		return "success".equals(this.outcome);
	}

	/**
	 * Sending it again will fail the same way: the sidecar refused it (4xx) or it is too
	 * large.
	 */
	public boolean permanent() {
		return "too_large".equals(this.outcome)
				|| ("http_error".equals(this.outcome) && this.status >= 400 && this.status < 500);
	}

	static DaprPublishResult of(PublishOutcome outcome) {
		return new DaprPublishResult(outcome.kind().tag(), outcome.status(), outcome.errorCode(), outcome.message());
	}

	/** Completes the sender's future, if the message carries one. */
	static void confirm(DaprPublication publication, PublishOutcome outcome) {
		if (publication.message().getHeaders().get(CONFIRMATION_HEADER) instanceof CompletableFuture<?> future) {
			@SuppressWarnings("unchecked")
			CompletableFuture<DaprPublishResult> confirmation = (CompletableFuture<DaprPublishResult>) future;
			confirmation.complete(of(outcome));
		}
	}

}
