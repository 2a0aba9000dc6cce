package com.pakaura.api.web;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Refuses a body declared larger than 64 KiB before anything reads it, except a delivery
 * from the sidecar. A body sent without a length is held to the same limit by the codecs
 * ({@code spring.http.codecs.max-in-memory-size}), whose failure ends up as the same 413.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class RequestSizeLimitWebFilter implements WebFilter {

	static final long MAX_BODY_BYTES = 64 * 1024;

	private final Problems problems;

	RequestSizeLimitWebFilter(Problems problems) {
		this.problems = problems;
	}

	/**
	 * The sidecar's deliveries: the dapr binder reads them up to its own
	 * {@code max-body-size}, as large as what it publishes, and answers a larger one
	 * itself (a 413 here would be redelivered by daprd for ever).
	 */
	static final String SIDECAR_DELIVERIES = "/dapr/subscriptions/";

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (exchange.getRequest().getHeaders().getContentLength() > MAX_BODY_BYTES
				&& !exchange.getRequest().getPath().value().startsWith(SIDECAR_DELIVERIES)) {
			return this.problems.write(exchange, Problems.tooLarge());
		}
		return chain.filter(exchange);
	}

}
