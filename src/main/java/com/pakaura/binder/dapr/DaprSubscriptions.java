package com.pakaura.binder.dapr;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * The application's Dapr subscriptions: one per input binding of the {@code dapr} binder,
 * each with the route on which the sidecar delivers its messages. The binder adds and
 * removes them as it binds consumers; the web side
 * ({@code DaprSubscriptionsConfiguration}) announces them on {@code GET /dapr/subscribe}
 * and routes deliveries to them.
 */
public final class DaprSubscriptions {

	/**
	 * Deliveries for the input binding {@code <name>} arrive on this path plus the name.
	 */
	public static final String ROUTE_PREFIX = "/dapr/subscriptions/";

	private final Map<String, Subscription> byBinding = new ConcurrentHashMap<>();

	/**
	 * @param binding the input binding's name, e.g. {@code taskUpdates-in-0}
	 * @param deadLetterTopic where Dapr puts messages answered with DROP
	 * @param metadata the subscription's metadata
	 * @param receiver what takes each delivery and says how it went
	 */
	public record Subscription(String binding, String pubsubName, String topic, @Nullable String deadLetterTopic,
			Map<String, String> metadata, DaprInbound receiver) {

		public String route() {
			return ROUTE_PREFIX + this.binding;
		}

	}

	void add(Subscription subscription) {
		this.byBinding.put(subscription.binding(), subscription);
	}

	void remove(String binding) {
		this.byBinding.remove(binding);
	}

	/** The subscriptions of a topic, whatever their component. */
	List<Subscription> forTopic(String topic) {
		return this.byBinding.values().stream().filter((subscription) -> subscription.topic().equals(topic)).toList();
	}

	public Optional<Subscription> forBinding(String binding) {
		return Optional.ofNullable(this.byBinding.get(binding));
	}

	/**
	 * The answer to daprd's {@code GET /dapr/subscribe}: programmatic subscriptions in
	 * the v2alpha1 form (dapr pkg/runtime/pubsub/subscriptions.go
	 * {@code GetSubscriptionsHTTP}), a default route each; {@code []} when there are
	 * none.
	 */
	public List<Map<String, Object>> asDaprSubscriptions() {
		List<Map<String, Object>> subscriptions = new ArrayList<>();
		this.byBinding.values()
			.stream()
			.sorted((a, b) -> a.binding().compareTo(b.binding()))
			.forEach((subscription) -> {
				Map<String, Object> entry = new LinkedHashMap<>();
				entry.put("pubsubname", subscription.pubsubName());
				entry.put("topic", subscription.topic());
				entry.put("routes", Map.of("default", subscription.route()));
				if (subscription.deadLetterTopic() != null) {
					entry.put("deadLetterTopic", subscription.deadLetterTopic());
				}
				if (!subscription.metadata().isEmpty()) {
					entry.put("metadata", subscription.metadata());
				}
				subscriptions.add(entry);
			});
		return subscriptions;
	}

}
