package com.pakaura.binder.dapr;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code spring.cloud.stream.dapr.binder.enabled=false}: nothing leaves the process. Each
 * message is logged at DEBUG, so a local run shows what would have been published. With
 * {@code loopback}, each is also delivered to the application's own subscriptions of its
 * topic, on one thread in the order published, as the sidecar would deliver it: the same
 * {@link DaprInbound} that takes the sidecar's deliveries takes it.
 */
final class DisabledDaprPublisher implements DaprPublisher {

	private static final Logger log = LoggerFactory.getLogger(DisabledDaprPublisher.class);

	/** {@code null} without loopback. */
	private final @Nullable Loopback loopback;

	/**
	 * @param subscriptions the subscriptions to deliver to, or {@code null} for none
	 */
	DisabledDaprPublisher(@Nullable DaprSubscriptions subscriptions) {
		if (subscriptions == null) {
			this.loopback = null;
			return;
		}
		this.loopback = new Loopback(subscriptions, Executors.newSingleThreadExecutor((task) -> {
			Thread thread = new Thread(task, "dapr-loopback");
			thread.setDaemon(true);
			return thread;
		}));
		log.info("Dapr is disabled: published events are delivered to this application's own subscriptions"
				+ " (loopback), and nothing leaves the process");
	}

	/** The subscriptions to deliver to, and the one thread that delivers, in order. */
	private record Loopback(DaprSubscriptions subscriptions, ExecutorService deliveries) {

	}

	@Override
	public void submit(DaprPublication publication) {
		// a sender that asked learns that nothing was sent, and why
		DaprPublishResult.confirm(publication,
				PublishOutcome.of(PublishOutcome.Kind.DISABLED, "spring.cloud.stream.dapr.binder.enabled is false"));
		if (log.isDebugEnabled()) {
			CorrelationIdMdc.around(publication,
					() -> log.atDebug()
						.addKeyValue("binding", publication.binding())
						.addKeyValue("pubsub", publication.pubsub())
						.addKeyValue("topic", publication.topic())
						.addKeyValue("partition_key", publication.partitionKey())
						.addKeyValue("bytes", publication.body().length)
						.log("Dapr is disabled: message not sent"));
		}
		Loopback loopback = this.loopback;
		if (loopback != null && !loopback.deliveries().isShutdown()) {
			loopback.deliveries().execute(() -> deliverLocally(loopback.subscriptions(), publication));
		}
	}

	/** As daprd delivers a structured CloudEvent: the record's key beside it. */
	private static void deliverLocally(DaprSubscriptions subscriptions, DaprPublication publication) {
		String key = publication.partitionKey();
		Map<String, String> headers = (key != null)
				? Map.of("content-type", "application/cloudevents+json", "__key", key, "__topic", publication.topic())
				: Map.of("content-type", "application/cloudevents+json", "__topic", publication.topic());
		for (DaprSubscriptions.Subscription subscription : subscriptions.forTopic(publication.topic())) {
			try {
				subscription.receiver().deliver(headers, publication.body());
			}
			catch (RuntimeException ex) {
				log.warn("Loopback delivery to {} failed", subscription.binding(), ex);
			}
		}
	}

	@Override
	public void close() {
		Loopback loopback = this.loopback;
		if (loopback != null) {
			loopback.deliveries().shutdown();
			try {
				loopback.deliveries().awaitTermination(5, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
