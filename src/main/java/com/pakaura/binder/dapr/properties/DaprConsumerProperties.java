package com.pakaura.binder.dapr.properties;

import org.jspecify.annotations.Nullable;

/**
 * Per-binding consumer settings,
 * {@code spring.cloud.stream.dapr.bindings.<binding>.consumer.*} (defaults for all
 * bindings under {@code spring.cloud.stream.dapr.default.consumer.*}). Each input binding
 * becomes one Dapr programmatic subscription, which the application announces on
 * {@code GET /dapr/subscribe}. The pub/sub component, not the subscription, carries the
 * Kafka consumer group: a binding that every replica must receive in full needs a
 * component whose {@code consumerGroup} is the pod's name.
 *
 * <p>
 * A mutable bean rather than a record: Spring Cloud Stream creates it and binds each
 * binding's properties into it, merged over the defaults.
 */
public class DaprConsumerProperties extends DaprCommonProperties {

	/**
	 * Topic where Dapr puts a message the application answers with DROP, and one it
	 * answers RETRY unless a Resiliency policy retries it (and, from daprd 1.17.0, a
	 * 404).
	 */
	private @Nullable String deadLetterTopic;

	/**
	 * Answer DROP, not RETRY, for a message whose handler failed on each of the binding's
	 * {@code max-attempts}. daprd redelivers a RETRY every 5 s for ever when the
	 * subscription has no dead-letter topic, holding back the partition's later messages;
	 * a DROP lets them through and loses this one (counted). For a binding where a lost
	 * message costs less than a held partition.
	 */
	private boolean dropWhenExhausted;

	public @Nullable String getDeadLetterTopic() {
		return this.deadLetterTopic;
	}

	public void setDeadLetterTopic(@Nullable String deadLetterTopic) {
		this.deadLetterTopic = deadLetterTopic;
	}

	public boolean isDropWhenExhausted() {
		return this.dropWhenExhausted;
	}

	public void setDropWhenExhausted(boolean dropWhenExhausted) {
		this.dropWhenExhausted = dropWhenExhausted;
	}

}
