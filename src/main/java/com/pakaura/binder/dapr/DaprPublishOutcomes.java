package com.pakaura.binder.dapr;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHandlingException;
import org.springframework.messaging.support.ErrorMessage;

/**
 * What happens once a publication has an outcome: it is counted ({@code dapr.publish},
 * tags binding, topic, outcome), timed from hand-over ({@code dapr.publish.latency}),
 * logged at the level its outcome deserves (success DEBUG; sidecar unavailable, unknown
 * outcome and drops WARN; a refusal ERROR with the sidecar's status, errorCode and
 * message), and, when the binding has its error channel enabled, a failure goes there
 * too; a sender that asked is told ({@link DaprPublishResult}). Nothing here throws.
 */
final class DaprPublishOutcomes {

	static final String COUNTER = "dapr.publish";

	static final String TIMER = "dapr.publish.latency";

	/** The histogram's range: a local sidecar answers in a millisecond or two. */
	private static final Duration LATENCY_HISTOGRAM_MIN = Duration.ofMillis(1);

	/** Beyond any publish timeout a deployment would set. */
	private static final Duration LATENCY_HISTOGRAM_MAX = Duration.ofSeconds(30);

	private static final Logger log = LoggerFactory.getLogger(DaprPublishOutcomes.class);

	private final MeterRegistry meters;

	/**
	 * The meters of each binding, topic and outcome, looked up once: registering again
	 * for every event (building and sorting its tags) was a tenth of the binder's thread.
	 */
	private final Map<OutcomeSeries, Meters> series = new ConcurrentHashMap<>();

	DaprPublishOutcomes(MeterRegistry meters) {
		this.meters = meters;
	}

	MeterRegistry meters() {
		return this.meters;
	}

	/**
	 * Registers a binding's outcome counters at zero, so that dashboards and alerts see
	 * every series from the first scrape (a rate over a series that appears only with its
	 * first failure misses that failure), and so that drops counted while the application
	 * stops still land in a meter that exists: a registry being closed registers nothing
	 * new.
	 */
	void registerBinding(String binding, String topic) {
		for (PublishOutcome.Kind kind : PublishOutcome.Kind.values()) {
			if (kind != PublishOutcome.Kind.DISABLED) {
				counter(binding, topic, kind);
			}
		}
	}

	void record(DaprPublication publication, PublishOutcome outcome) {
		try {
			DaprPublishResult.confirm(publication, outcome);
			count(publication, outcome);
			Level level = levelOf(outcome.kind());
			// mostly a success at DEBUG: then nothing logs, and no MDC is worth setting
			if (log.isEnabledForLevel(level)) {
				CorrelationIdMdc.around(publication, () -> log(publication, outcome, level));
			}
			if (!outcome.succeeded() && publication.errorChannel() != null) {
				sendToErrorChannel(publication, outcome, publication.errorChannel());
			}
		}
		catch (RuntimeException ex) {
			log.error("Could not record the outcome of a Dapr publish", ex);
		}
	}

	private void count(DaprPublication publication, PublishOutcome outcome) {
		Meters meters = this.series.computeIfAbsent(
				new OutcomeSeries(publication.binding(), publication.topic(), outcome.kind()),
				(key) -> new Meters(counter(key.binding(), key.topic(), key.kind()), timer(key)));
		meters.counter().increment();
		meters.latency().record(Duration.ofNanos(System.nanoTime() - publication.handedOverNanos()));
	}

	private Counter counter(String binding, String topic, PublishOutcome.Kind kind) {
		return Counter.builder(COUNTER)
			.tags("binding", binding, "topic", topic, "outcome", kind.tag())
			.description("Dapr publish outcomes")
			.register(this.meters);
	}

	private Timer timer(OutcomeSeries key) {
		return Timer.builder(TIMER)
			.tags("binding", key.binding(), "topic", key.topic(), "outcome", key.kind().tag())
			.description("Time from hand-over to the binder until the sidecar's answer")
			// Prometheus buckets, so that percentiles can be aggregated across replicas
			.publishPercentileHistogram()
			.minimumExpectedValue(LATENCY_HISTOGRAM_MIN)
			.maximumExpectedValue(LATENCY_HISTOGRAM_MAX)
			.register(this.meters);
	}

	private static Level levelOf(PublishOutcome.Kind kind) {
		return switch (kind) {
			case SUCCESS -> Level.DEBUG;
			case UNAVAILABLE, UNKNOWN, DROPPED, DISABLED -> Level.WARN;
			case HTTP_ERROR, TOO_LARGE -> Level.ERROR;
		};
	}

	private static void log(DaprPublication publication, PublishOutcome outcome, Level level) {
		LoggingEventBuilder line = log.atLevel(level)
			.addKeyValue("binding", publication.binding())
			.addKeyValue("pubsub", publication.pubsub())
			.addKeyValue("topic", publication.topic())
			.addKeyValue("partition_key", publication.partitionKey())
			.addKeyValue("outcome", outcome.kind().tag())
			.addKeyValue("latency_ms", (System.nanoTime() - publication.handedOverNanos()) / 1_000_000);
		if (outcome.status() != 0) {
			line = line.addKeyValue("dapr_status", outcome.status());
		}
		if (outcome.errorCode() != null) {
			line = line.addKeyValue("dapr_error_code", outcome.errorCode());
		}
		if (outcome.message() != null) {
			line = line.addKeyValue("dapr_message", outcome.message());
		}
		line.log(switch (outcome.kind()) {
			case SUCCESS -> "Published to Dapr";
			case HTTP_ERROR -> "Dapr refused the event";
			case UNAVAILABLE -> "Dapr sidecar unavailable";
			case UNKNOWN -> "Dapr publish outcome unknown: the event may have been published";
			case DISABLED -> "Dapr is disabled: message not sent";
			case DROPPED -> "Dapr publish buffer full: event dropped";
			case TOO_LARGE -> "Event too large for Dapr";
		});
	}

	private static void sendToErrorChannel(DaprPublication publication, PublishOutcome outcome,
			MessageChannel errorChannel) {
		String description = "Dapr publish to " + publication.pubsub() + "/" + publication.topic() + " failed: "
				+ outcome.kind().tag() + ((outcome.status() != 0) ? " " + outcome.status() : "")
				+ ((outcome.errorCode() != null) ? " " + outcome.errorCode() : "")
				+ ((outcome.message() != null) ? ": " + outcome.message() : "");
		errorChannel.send(new ErrorMessage(new MessageHandlingException(publication.message(), description),
				publication.message()));
	}

	private record OutcomeSeries(String binding, String topic, PublishOutcome.Kind kind) {

	}

	private record Meters(Counter counter, Timer latency) {

	}

}
