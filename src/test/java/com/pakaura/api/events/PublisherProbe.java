package com.pakaura.api.events;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.context.ApplicationContext;

/**
 * Lets tests outside this package wait for the publisher, which hands events over on its
 * own thread.
 */
public final class PublisherProbe {

	private PublisherProbe() {
	}

	/**
	 * Returns once every change committed so far has had its events handed to the binder.
	 */
	public static void awaitHandedOver(ApplicationContext application) {
		TaskEventPublisher publisher = application.getBeanProvider(TaskEventPublisher.class).getIfAvailable();
		if (publisher == null) {
			// outbox delivery: events leave through the relay, on its own schedule
			return;
		}
		try {
			// guards against a hang only
			publisher.handedOver().get(60, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException("The event publisher did not catch up", ex);
		}
	}

}
