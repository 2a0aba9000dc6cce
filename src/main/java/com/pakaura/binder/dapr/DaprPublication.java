package com.pakaura.binder.dapr;

import java.util.Map;

import io.micrometer.observation.Observation;
import org.jspecify.annotations.Nullable;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;

/**
 * One message on its way to the sidecar: what to POST, and whom to tell how it went.
 *
 * @param binding the Spring Cloud Stream binding it was sent to
 * @param partitionKey keeps this message behind earlier ones with the same key;
 * {@code null}: no order
 * @param metadata sent as {@code metadata.<name>} query parameters
 * @param headers HTTP headers passed on to the sidecar (W3C trace context)
 * @param sender the observation current on the sender's thread at hand-over: each request
 * to the sidecar is observed as its child, so with tracing on the request carries a
 * {@code traceparent} of the sender's trace; {@code null} when there was none
 * @param correlationId the message's {@code correlationId} header, for logs
 * @param errorChannel where failures go when the binding enables its error channel
 * @param handedOverNanos {@link System#nanoTime()} when the binder received it
 */
record DaprPublication(String binding, String pubsub, String topic, byte[] body, String contentType,
		@Nullable String partitionKey, Map<String, String> metadata, Map<String, String> headers,
		@Nullable Observation sender, @Nullable String correlationId, Message<?> message,
		@Nullable MessageChannel errorChannel, long handedOverNanos, boolean confirms) {

}
