package com.pakaura.api.web;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import com.pakaura.api.correlation.CorrelationId;

/**
 * First filter of every request: settles its correlation id (the caller's
 * {@code X-Correlation-ID} when well formed, a fresh UUIDv4 otherwise), echoes it on the
 * response, and puts it in the Reactor context, from where it reaches every log line and
 * the event publisher. (The W3C trace context is Micrometer Tracing's: the request's
 * server span continues the caller's {@code traceparent}.)
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class CorrelationIdWebFilter implements WebFilter {

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		CorrelationId correlationId = CorrelationId
			.fromHeaderOrGenerate(exchange.getRequest().getHeaders().getFirst(CorrelationId.HEADER));
		exchange.getAttributes().put(CorrelationId.CONTEXT_KEY, correlationId);
		exchange.getResponse().getHeaders().set(CorrelationId.HEADER, correlationId.value());
		return chain.filter(exchange)
			.contextWrite((context) -> context.put(CorrelationId.CONTEXT_KEY, correlationId.value()));
	}

}
