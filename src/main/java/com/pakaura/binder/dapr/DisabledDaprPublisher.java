package com.pakaura.binder.dapr;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code spring.cloud.stream.dapr.binder.enabled=false}: nothing leaves the process. Each
 * message is logged at DEBUG, so a local run shows what would have been published.
 */
final class DisabledDaprPublisher implements DaprPublisher {

	private static final Logger log = LoggerFactory.getLogger(DisabledDaprPublisher.class);

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
	}

	@Override
	public void close() {
	}

}
