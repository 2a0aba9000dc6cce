package com.pakaura.binder.dapr.properties;

/**
 * Per-binding producer settings,
 * {@code spring.cloud.stream.dapr.bindings.<binding>.producer.*} (defaults for all
 * bindings under {@code spring.cloud.stream.dapr.default.producer.*}).
 *
 * <p>
 * A mutable bean rather than a record: Spring Cloud Stream creates it and binds each
 * binding's properties into it, merged over the defaults.
 */
public class DaprProducerProperties extends DaprCommonProperties {

	/** Default partition key: the {@code partitionKey} header, if the message has one. */
	public static final String DEFAULT_PARTITION_KEY_EXPRESSION = "headers['partitionKey']";

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
	 * Whether a sender may ask how each of its messages ended: a
	 * {@code CompletableFuture<DaprPublishResult>} in the message's
	 * {@code daprPublishConfirmation} header is completed with the final outcome (as
	 * Rabbit's {@code useConfirmHeader} completes a {@code CorrelationData}). Off: the
	 * header is ignored, and the binding is fire-and-forget for every sender.
	 */
	private boolean useConfirmHeader;

	public String getPartitionKeyExpression() {
		return this.partitionKeyExpression;
	}

	public void setPartitionKeyExpression(String partitionKeyExpression) {
		this.partitionKeyExpression = partitionKeyExpression;
	}

	public boolean isUseConfirmHeader() {
		return this.useConfirmHeader;
	}

	public void setUseConfirmHeader(boolean useConfirmHeader) {
		this.useConfirmHeader = useConfirmHeader;
	}

}
