package com.pakaura.api.web;

import java.util.Optional;

import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import com.pakaura.api.correlation.CorrelationId;
import com.pakaura.api.correlation.TraceContext;

/**
 * First filter of every request: settles its correlation id (the caller's
 * {@code X-Correlation-ID} when well formed, a fresh UUIDv4 otherwise), echoes it on the
 * response, and puts it in the Reactor context, from where it reaches every log line and
 * the event publisher. A well-formed W3C {@code traceparent} (with its
 * {@code tracestate}) goes into the context too, so events continue the caller's trace.
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
		HttpHeaders headers = exchange.getRequest().getHeaders();
		Optional<TraceContext> trace = TraceContext.from(headers.getFirst(TraceContext.TRACEPARENT),
				headers.getFirst(TraceContext.TRACESTATE));
		trace.ifPresent((found) -> exchange.getAttributes().put(TraceContext.CONTEXT_KEY, found));
		return chain.filter(exchange).contextWrite((context) -> {
			Context withId = context.put(CorrelationId.CONTEXT_KEY, correlationId.value());
			return trace.map((found) -> withId.put(TraceContext.CONTEXT_KEY, found)).orElse(withId);
		});
	}

}
