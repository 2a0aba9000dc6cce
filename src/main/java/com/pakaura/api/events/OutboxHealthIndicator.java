package com.pakaura.api.events;

import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;

/**
 * Health contributor {@code outbox} (outbox delivery only): how many events wait, how old
 * the oldest is, how many are parked. Always UP: waiting events are kept, not lost, and
 * the {@code dapr} contributor says whether the sidecar takes them. Alert on the gauges
 * instead ({@code pakaura.outbox.oldest.pending.age}, {@code pakaura.outbox.parked}).
 */
class OutboxHealthIndicator implements ReactiveHealthIndicator {

	private final OutboxRelay relay;

	OutboxHealthIndicator(OutboxRelay relay) {
		this.relay = relay;
	}

	@Override
	public Mono<Health> health() {
		return Mono.just(Health.up().withDetails(this.relay.state()).build());
	}

}
