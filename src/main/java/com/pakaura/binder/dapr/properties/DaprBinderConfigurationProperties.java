package com.pakaura.binder.dapr.properties;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.util.unit.DataSize;

/**
 * Binder-wide settings of the {@code dapr} binder.
 *
 * @param enabled whether events go to the sidecar at all; when false nothing leaves the
 * process and each message is logged at DEBUG (env {@code DAPR_ENABLED})
 * @param host host of the Dapr sidecar's HTTP API
 * @param httpPort port of the Dapr sidecar's HTTP API (env {@code DAPR_HTTP_PORT},
 * injected by Dapr)
 * @param pubsubName the Dapr pub/sub component to publish to, unless a binding names
 * another (env {@code DAPR_PUBSUB_NAME})
 * @param timeout how long the binder keeps trying to hand one event to the sidecar: no
 * new attempt (after a refused connection or a 5xx) starts once it has passed (env
 * {@code DAPR_PUBLISH_TIMEOUT}; a bare number means seconds)
 * @param responseTimeout how long a request that reached the sidecar waits for its
 * answer; past this its events' outcome is {@code unknown}, and their keys go on. daprd
 * has no publish timeout of its own, and its Kafka producer may still write an event long
 * after (a minute when the broker answers slowly, three minutes or more when it does not
 * answer at all: Sarama's {@code Net.ReadTimeout} of 30 s per attempt), so no timeout can
 * promise that a late event is not overtaken by its key's next one: consumers order by
 * {@code sequence}. A short one lets a sidecar that recovers get traffic again soon
 * @param apiToken sent as {@code dapr-api-token} when set (env {@code DAPR_API_TOKEN})
 * @param appApiToken Dapr's app API token (env {@code APP_API_TOKEN}): when set, the
 * sidecar's calls to the application ({@code GET /dapr/subscribe} and deliveries) must
 * carry it as {@code dapr-api-token}, or they are refused with 401. Without it anyone who
 * can reach the application's port can deliver messages, so run without it only locally
 * @param maxInFlight how many publish requests may be under way at once, across all keys
 * @param bufferSize how many events may wait for the sidecar; past that the newest is
 * dropped
 * @param maxBodySize bodies larger than this are refused before sending. The default is
 * the Kafka record limit this project's chart gives the component
 * ({@code maxMessageBytes}, 1 MiB), which is below daprd's own {@code --max-body-size} (4
 * MiB); an event between the two would pass daprd and fail in its Kafka producer
 * @param bulkPublish whether events go to the sidecar many to a request, on daprd's bulk
 * publish route, where the sidecar has one: {@code /v1.0/publish/bulk} from daprd 1.17,
 * {@code /v1.0-alpha1/publish/bulk} before; the binder asks {@code GET /v1.0/metadata} at
 * start. One request carries at most one event of a partition key, so order per key is
 * kept. Off: one request per event (env {@code DAPR_BULK_PUBLISH})
 * @param bulkMaxEntries at most this many events in one bulk request
 * @param sidecarMaxBodySize daprd's {@code --max-body-size} (annotation
 * {@code dapr.io/max-body-size}, 4 MiB by default): a bulk request is kept under it
 * @param startupWait at start, how long events wait for {@code /v1.0/healthz/outbound} to
 * answer 204 before they are sent anyway (the sidecar may start after the application)
 * @param shutdownTimeout on graceful stop, how long queued and in-flight events may take
 * to drain
 * @param loopback with the binder disabled, deliver each published event to this
 * application's own input bindings of its topic, through the same consumer path a
 * sidecar's delivery takes, and send nothing anywhere: a local run without Dapr sees its
 * own events (structured CloudEvents only; the component is not compared, and a failed
 * delivery is not tried again)
 */
@ConfigurationProperties("spring.cloud.stream.dapr.binder")
public record DaprBinderConfigurationProperties(@DefaultValue("false") boolean enabled,
		@DefaultValue("localhost") String host, @DefaultValue("3500") int httpPort,
		@DefaultValue("pubsub-kafka") String pubsubName,
		@DefaultValue("2s") @DurationUnit(ChronoUnit.SECONDS) Duration timeout,
		@DefaultValue("10s") @DurationUnit(ChronoUnit.SECONDS) Duration responseTimeout, @Nullable String apiToken,
		@Nullable String appApiToken, @DefaultValue("64") int maxInFlight, @DefaultValue("10000") int bufferSize,
		@DefaultValue("1MB") DataSize maxBodySize, @DefaultValue("true") boolean bulkPublish,
		@DefaultValue("256") int bulkMaxEntries, @DefaultValue("4MB") DataSize sidecarMaxBodySize,
		@DefaultValue("10s") Duration startupWait, @DefaultValue("10s") Duration shutdownTimeout,
		@DefaultValue("false") boolean loopback) {

	public DaprBinderConfigurationProperties {
		if (maxInFlight < 1) {
			throw new IllegalArgumentException("spring.cloud.stream.dapr.binder.max-in-flight must be at least 1");
		}
		if (bufferSize < 1) {
			throw new IllegalArgumentException("spring.cloud.stream.dapr.binder.buffer-size must be at least 1");
		}
		if (bulkMaxEntries < 1) {
			throw new IllegalArgumentException("spring.cloud.stream.dapr.binder.bulk-max-entries must be at least 1");
		}
		if (timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("spring.cloud.stream.dapr.binder.timeout must be positive");
		}
		if (responseTimeout.isNegative() || responseTimeout.isZero()) {
			throw new IllegalArgumentException("spring.cloud.stream.dapr.binder.response-timeout must be positive");
		}
	}

	/** The sidecar's HTTP base URL. */
	public String baseUrl() {
		return "http://" + this.host + ":" + this.httpPort;
	}

	@Override
	public String toString() {
		return "DaprBinderConfigurationProperties[enabled=" + this.enabled + ", baseUrl=" + baseUrl() + ", pubsubName="
				+ this.pubsubName + ", apiToken=" + ((this.apiToken != null) ? "(set)" : "(none)") + ", appApiToken="
				+ ((this.appApiToken != null) ? "(set)" : "(none)") + "]";
	}

}
