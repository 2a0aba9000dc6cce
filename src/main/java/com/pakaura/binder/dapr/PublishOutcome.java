package com.pakaura.binder.dapr;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * How one publish ended.
 *
 * @param status the sidecar's HTTP status; 0 when there was no answer
 * @param errorCode the sidecar's {@code errorCode}, e.g. {@code ERR_PUBSUB_NOT_FOUND}
 * @param message the sidecar's {@code message}, or what went wrong on our side
 */
record PublishOutcome(Kind kind, int status, @Nullable String errorCode, @Nullable String message) {

	/**
	 * The outcomes, as counted in the {@code dapr.publish} metric's {@code outcome} tag.
	 */
	enum Kind {

		/** The sidecar answered 2xx: the broker has the event. */
		SUCCESS,

		/** The sidecar refused the event (any status but 2xx). */
		HTTP_ERROR,

		/**
		 * The sidecar could not be reached: the request was never sent (not listening,
		 * refused).
		 */
		UNAVAILABLE,

		/**
		 * The request was sent but no answer came (none in time, or the connection ended
		 * first): the sidecar may have published the event. Never retried, so never sent
		 * twice by the binder.
		 */
		UNKNOWN,

		/** The buffer was full; the event was never sent. */
		DROPPED,

		/**
		 * The binder is disabled: nothing leaves the process, by the operator's choice.
		 * Only told to a sender that asks; not counted.
		 */
		DISABLED,

		/**
		 * Larger than the binder's {@code max-body-size} (never sent), or refused as too
		 * large by the sidecar or its Kafka producer. Never retried.
		 */
		TOO_LARGE;

		String tag() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

	/**
	 * The one error the sidecar reports for a body that is not a JSON object: no retry
	 * helps.
	 */
	static final String CLOUD_EVENT_NOT_JSON = "ERR_PUBSUB_CLOUD_EVENTS_SER";

	static PublishOutcome success(int status) {
		return new PublishOutcome(Kind.SUCCESS, status, null, null);
	}

	static PublishOutcome of(Kind kind, String message) {
		return new PublishOutcome(kind, 0, null, message);
	}

	boolean succeeded() {
		return this.kind == Kind.SUCCESS;
	}

	/**
	 * Worth another attempt: the request never reached the sidecar, or the sidecar
	 * answered that the broker failed (5xx, e.g. {@code ERR_PUBSUB_PUBLISH_MESSAGE}). A
	 * 4xx (wrong pubsub, topic not allowed, bad metadata or token) will fail the same way
	 * again, and an {@link Kind#UNKNOWN} outcome may already be published.
	 */
	boolean transientFailure() {
		return this.kind == Kind.UNAVAILABLE
				|| (this.kind == Kind.HTTP_ERROR && this.status >= 500 && !CLOUD_EVENT_NOT_JSON.equals(this.errorCode));
	}

}
