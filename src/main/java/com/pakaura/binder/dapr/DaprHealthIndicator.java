package com.pakaura.binder.dapr;

import java.time.Duration;

import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClientRequest;

import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.web.reactive.function.client.WebClient;

import com.pakaura.binder.dapr.properties.DaprBinderConfigurationProperties;

/**
 * UP when the sidecar answers 204 on {@code /v1.0/healthz/outbound} (components loaded,
 * able to publish). Never {@code /v1.0/healthz}: that one waits for the application
 * itself. UNKNOWN when the binder is disabled.
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
		return this.http.get().uri("/v1.0/healthz/outbound").httpRequest((request) -> {
			if (request.getNativeRequest() instanceof HttpClientRequest netty) {
				netty.responseTimeout(TIMEOUT);
			}
		})
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
