package com.pakaura.binder.dapr;

/**
 * What the application answers daprd for one delivered message, as {@code {"status":
 * "<name>"}} in a 2xx answer (dapr v1.18.3 pkg/runtime/subscription/postman/http/http.go
 * {@code Deliver}; components-contrib {@code pubsub.AppResponseStatus}).
 */
public enum DeliveryStatus {

	/** Processed: daprd commits the message. */
	SUCCESS,

	/**
	 * Not processed, try again: an error to daprd. With a dead-letter topic and no
	 * Resiliency policy for the component's inbound calls, daprd sends the message there
	 * at once; without one, the Kafka component redelivers it every 5 s for ever, and the
	 * partition's later messages wait behind it.
	 */
	RETRY,

	/**
	 * Never processable: daprd sends it to the dead-letter topic when one is set, and
	 * otherwise drops it, with a WARN line of its own.
	 */
	DROP

}
