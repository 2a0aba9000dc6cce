package com.pakaura.binder.dapr.properties;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Per-binding consumer settings,
 * {@code spring.cloud.stream.dapr.bindings.<binding>.consumer.*} (defaults for all
 * bindings under {@code spring.cloud.stream.dapr.default.consumer.*}). Each input binding
 * becomes one Dapr programmatic subscription, which the application announces on
 * {@code GET /dapr/subscribe}.
 *
 * <p>
 * A mutable bean rather than a record: Spring Cloud Stream creates it and binds each
 * binding's properties into it, merged over the defaults.
 */
public class DaprConsumerProperties {

	/**
	 * Dapr pub/sub component to subscribe through; the binder's {@code pubsub-name} when
	 * unset. Components, not subscriptions, carry the Kafka consumer group: a binding
	 * that every replica must receive in full needs a component whose
	 * {@code consumerGroup} is the pod's name.
	 */
	private @Nullable String pubsubName;

	/**
	 * Topic where Dapr puts a message the application answers with DROP (never a 404:
	 * Dapr drops those without a dead-letter topic).
	 */
	private @Nullable String deadLetterTopic;

	/** Subscription metadata, e.g. {@code rawPayload}. */
	private Map<String, String> metadata = new LinkedHashMap<>();

	public @Nullable String getPubsubName() {
		return this.pubsubName;
	}

	public void setPubsubName(@Nullable String pubsubName) {
		this.pubsubName = pubsubName;
	}

	public @Nullable String getDeadLetterTopic() {
		return this.deadLetterTopic;
	}

	public void setDeadLetterTopic(@Nullable String deadLetterTopic) {
		this.deadLetterTopic = deadLetterTopic;
	}

	public Map<String, String> getMetadata() {
		return this.metadata;
	}

	public void setMetadata(Map<String, String> metadata) {
		this.metadata = metadata;
	}

}
