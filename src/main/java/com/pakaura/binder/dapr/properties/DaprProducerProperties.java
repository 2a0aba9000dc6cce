package com.pakaura.binder.dapr.properties;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Per-binding producer settings,
 * {@code spring.cloud.stream.dapr.bindings.<binding>.producer.*} (defaults for all
 * bindings under {@code spring.cloud.stream.dapr.default.producer.*}).
 *
 * <p>
 * A mutable bean rather than a record: Spring Cloud Stream creates it and binds each
 * binding's properties into it, merged over the defaults.
 */
public class DaprProducerProperties {

	/** Default partition key: the {@code partitionKey} header, if the message has one. */
	public static final String DEFAULT_PARTITION_KEY_EXPRESSION = "headers['partitionKey']";

	/**
	 * Dapr pub/sub component for this binding; the binder's {@code pubsub-name} when
	 * unset.
	 */
	private @Nullable String pubsubName;

	/**
	 * SpEL over the message that yields its partition key, sent as
	 * {@code metadata.partitionKey} and used to keep one key's messages in order (one
	 * request at a time per key). Empty: no key. Only some Dapr pub/sub components route
	 * by it: Kafka (the record key), Pulsar (the message key) and Azure Event Hubs (the
	 * partition key). RabbitMQ routes by {@code routingKey} (set it in {@code metadata}),
	 * Redis Streams ignores it, and on those the binder's per-key order is all the order
	 * there is.
	 */
	private String partitionKeyExpression = DEFAULT_PARTITION_KEY_EXPRESSION;

	/**
	 * Extra metadata sent with every publish as {@code metadata.<name>=<value>}, e.g.
	 * {@code ttlInSeconds} or {@code rawPayload}.
	 */
	private Map<String, String> metadata = new LinkedHashMap<>();

	/**
	 * Whether a sender may ask how each of its messages ended: a
	 * {@code CompletableFuture<DaprPublishResult>} in the message's
	 * {@code daprPublishConfirmation} header is completed with the final outcome (as
	 * Rabbit's {@code useConfirmHeader} completes a {@code CorrelationData}). Off: the
	 * header is ignored, and the binding is fire-and-forget for every sender.
	 */
	private boolean useConfirmHeader;

	public @Nullable String getPubsubName() {
		return this.pubsubName;
	}

	public void setPubsubName(@Nullable String pubsubName) {
		this.pubsubName = pubsubName;
	}

	public String getPartitionKeyExpression() {
		return this.partitionKeyExpression;
	}

	public void setPartitionKeyExpression(String partitionKeyExpression) {
		this.partitionKeyExpression = partitionKeyExpression;
	}

	public Map<String, String> getMetadata() {
		return this.metadata;
	}

	public void setMetadata(Map<String, String> metadata) {
		this.metadata = metadata;
	}

	public boolean isUseConfirmHeader() {
		return this.useConfirmHeader;
	}

	public void setUseConfirmHeader(boolean useConfirmHeader) {
		this.useConfirmHeader = useConfirmHeader;
	}

}
