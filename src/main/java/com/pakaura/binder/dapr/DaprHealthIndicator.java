package com.pakaura.binder.dapr;

import java.time.Duration;

import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClientRequest;

import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.web.reactive.function.client.WebClient;

import com.pakaura.binder.dapr.properties.DaprBinderConfigurationProperties;

/**
 * UP when the sidecar answers 204 on {@code /v1.0/healthz/outbound} (components loaded,
 * able to publish). Never {@code /v1.0/healthz}: that one waits for the application
 * itself. UNKNOWN when the binder is disabled. Its details say which sidecar answers
 * ({@code runtimeVersion}, from {@code /v1.0/metadata}) and how the binder publishes to
 * it ({@code publishing}): the route chosen at start for that version, which the binder
 * leaves only for the next one when a route answers as missing.
 */
public class DaprHealthIndicator extends AbstractReactiveHealthIndicator {

	private static final Duration TIMEOUT = Duration.ofSeconds(1);

	private final DaprBinderConfigurationProperties properties;

	private final WebClient http;

	public DaprHealthIndicator(DaprBinderConfigurationProperties properties) {
		super("Dapr sidecar health check failed");
		this.properties = properties;
		this.http = WebClient.builder().baseUrl(properties.baseUrl()).build();
	}

	@Override
	protected Mono<Health> doHealthCheck(Health.Builder builder) {
		if (!this.properties.enabled()) {
			return Mono.just(builder.unknown().withDetail("enabled", false).build());
		}
		builder.withDetail("sidecar", this.properties.baseUrl());
		return describeRoute(builder).then(outbound(builder));
	}

	private Mono<Void> describeRoute(Health.Builder builder) {
		if (!this.properties.bulkPublish()) {
			builder.withDetail("publishing", QueuedDaprPublisher.routeDescription(BulkPublishRoute.NONE));
			return Mono.empty();
		}
		return this.http.get()
			.uri("/v1.0/metadata")
			.httpRequest(DaprHealthIndicator::timeout)
			.exchangeToMono((response) -> response.statusCode().is2xxSuccessful() ? response.bodyToMono(String.class)
					: response.releaseBody().then(Mono.<String>empty()))
			.mapNotNull(DaprSidecarMetadata::parse)
			.doOnNext((metadata) -> {
				if (metadata.runtimeVersion() != null) {
					builder.withDetail("runtimeVersion", metadata.runtimeVersion());
				}
				builder.withDetail("publishing", QueuedDaprPublisher
					.routeDescription(BulkPublishRoute.forRuntimeVersion(metadata.runtimeVersion())));
			})
			.switchIfEmpty(Mono.fromRunnable(() -> builder.withDetail("publishing",
					QueuedDaprPublisher.routeDescription(BulkPublishRoute.NONE))))
			.onErrorResume((ex) -> Mono.empty())
			.then();
	}

	private static void timeout(ClientHttpRequest request) {
		if (request.getNativeRequest() instanceof HttpClientRequest netty) {
			netty.responseTimeout(TIMEOUT);
		}
	}

	private Mono<Health> outbound(Health.Builder builder) {
		return this.http.get()
			.uri("/v1.0/healthz/outbound")
			.httpRequest(DaprHealthIndicator::timeout)
			.exchangeToMono((response) -> response.bodyToMono(String.class)
				.defaultIfEmpty("")
				.map((body) -> response.statusCode().is2xxSuccessful() ? builder.up().build()
						: builder.down()
							.withDetail("status", response.statusCode().value())
							.withDetail("body", body)
							.build()))
			// An absent sidecar is an expected state, reported as such rather than logged
			// with a stack trace.
			.onErrorResume(
					(ex) -> Mono.just(builder.down().withDetail("error", DaprSidecarClient.describe(ex)).build()));
	}

}
