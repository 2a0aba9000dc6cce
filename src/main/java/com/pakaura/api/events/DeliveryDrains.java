package com.pakaura.api.events;

import java.time.Duration;

/**
 * How long each delivery mode may take, after the web server stopped, to hand its events
 * to the binder: the longest part of the application's stop, which the chart's
 * {@code dapr.io/block-shutdown-duration} must cover so the sidecar still listens.
 */
public final class DeliveryDrains {

	/**
	 * Fire-and-forget: the publishing thread hands over its backlog
	 * ({@link TaskEventPublisher}).
	 */
	public static final Duration PUBLISHER = Duration.ofSeconds(10);

	/** Outbox: the relay finishes the round under way ({@link OutboxRelay}). */
	public static final Duration RELAY = Duration.ofSeconds(15);

	private DeliveryDrains() {
	}

}
