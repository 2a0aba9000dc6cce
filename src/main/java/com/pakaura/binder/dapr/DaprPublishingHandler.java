package com.pakaura.binder.dapr;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.stream.binder.BinderHeaders;
import org.springframework.expression.EvaluationContext;
import org.springframework.expression.Expression;
import org.springframework.integration.IntegrationMessageHeaderAccessor;
import org.springframework.integration.handler.AbstractMessageHandler;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHeaders;

/**
 * The producer side of one binding: turns each message into a {@link DaprPublication} and
 * hands it to the {@link DaprPublisher}. Runs on the sender's thread and returns at once.
 */
final class DaprPublishingHandler extends AbstractMessageHandler {

	private static final String DEFAULT_CONTENT_TYPE = "application/json";

	private final String binding;

	private final String topic;

	private final String pubsub;

	private final @Nullable Expression partitionKey;

	private final Map<String, String> metadata;

	private final DaprPublisher publisher;

	private final DaprPublishOutcomes outcomes;

	private final long maxBodyBytes;

	private final @Nullable MessageChannel errorChannel;

	private final EvaluationContext evaluation;

	private final ObservationRegistry observations;

	private final boolean confirms;

	private final DaprHeaderMapper headerMapper;

	/**
	 * @param partitionKey parsed once, when the binding is created
	 * @param evaluation the binder's evaluation context, so that the expression can reach
	 * beans ({@code @name}) and Spring Integration's functions, as in the other binders
	 * @param confirms whether a sender's confirmation header is completed
	 * ({@code use-confirm-header})
	 * @param headerMapper which of a message's headers go to the sidecar
	 */
	DaprPublishingHandler(String binding, String topic, String pubsub, @Nullable Expression partitionKey,
			EvaluationContext evaluation, Map<String, String> metadata, DaprPublisher publisher,
			DaprPublishOutcomes outcomes, ObservationRegistry observations, long maxBodyBytes,
			@Nullable MessageChannel errorChannel, boolean confirms, DaprHeaderMapper headerMapper) {
		this.binding = binding;
		this.topic = topic;
		this.pubsub = pubsub;
		this.partitionKey = partitionKey;
		this.evaluation = evaluation;
		this.metadata = Map.copyOf(metadata);
		this.publisher = publisher;
		this.outcomes = outcomes;
		this.observations = observations;
		this.maxBodyBytes = maxBodyBytes;
		this.errorChannel = errorChannel;
		this.confirms = confirms;
		this.headerMapper = headerMapper;
	}

	@Override
	protected void handleMessageInternal(Message<?> message) {
		MessageHeaders headers = message.getHeaders();
		byte[] body = bodyOf(message.getPayload());
		String target = headers.get(BinderHeaders.TARGET_DESTINATION, String.class);
		Object contentType = headers.get(MessageHeaders.CONTENT_TYPE);
		Object correlationId = headers.get(IntegrationMessageHeaderAccessor.CORRELATION_ID);
		DaprPublication publication = new DaprPublication(this.binding, this.pubsub,
				(target != null) ? target : this.topic, body,
				(contentType != null) ? contentType.toString() : DEFAULT_CONTENT_TYPE, partitionKeyOf(message),
				this.metadata, this.headerMapper.toSidecar(headers), this.observations.getCurrentObservation(),
				(correlationId != null) ? correlationId.toString() : null, message, this.errorChannel,
				System.nanoTime(), this.confirms);
		if (body.length > this.maxBodyBytes) {
			this.outcomes.record(publication, PublishOutcome.of(PublishOutcome.Kind.TOO_LARGE,
					body.length + " bytes is more than the sidecar accepts (" + this.maxBodyBytes + ")"));
			return;
		}
		this.publisher.submit(publication);
	}

	private @Nullable String partitionKeyOf(Message<?> message) {
		if (this.partitionKey == null) {
			return null;
		}
		Object key = this.partitionKey.getValue(this.evaluation, message);
		return (key != null) ? key.toString() : null;
	}

	private static byte[] bodyOf(Object payload) {
		if (payload instanceof byte[] bytes) {
			return bytes;
		}
		if (payload instanceof String text) {
			return text.getBytes(StandardCharsets.UTF_8);
		}
		throw new IllegalArgumentException("The dapr binder sends byte[] or String payloads, not "
				+ payload.getClass().getName() + "; leave native encoding off so Spring Cloud Stream converts it");
	}

}
