package com.pakaura.binder.dapr.properties;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What a binding's producer and consumer settings share: the pub/sub component and the
 * metadata daprd is given with it (as Rabbit's and Kafka's binders keep their common
 * settings in one base class).
 *
 * <p>
 * A mutable bean rather than a record: Spring Cloud Stream creates it and binds each
 * binding's properties into it, merged over the defaults.
 */
public abstract class DaprCommonProperties {

	/**
	 * Dapr pub/sub component this binding publishes to or subscribes through; the
	 * binder's {@code pubsub-name} when unset.
	 */
	private @Nullable String pubsubName;

	/**
	 * Metadata for daprd: a producer sends it with every publish as
	 * {@code metadata.<name>=<value>} (e.g. {@code ttlInSeconds}, {@code rawPayload}); a
	 * consumer's goes on its subscription (e.g. {@code rawPayload}).
	 */
	private Map<String, String> metadata = new LinkedHashMap<>();

	public @Nullable String getPubsubName() {
		return this.pubsubName;
	}

	public void setPubsubName(@Nullable String pubsubName) {
		this.pubsubName = pubsubName;
	}

	public Map<String, String> getMetadata() {
		return this.metadata;
	}

	public void setMetadata(Map<String, String> metadata) {
		this.metadata = metadata;
	}

}
