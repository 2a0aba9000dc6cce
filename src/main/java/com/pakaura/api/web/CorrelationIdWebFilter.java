package com.pakaura.api.web;

import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import com.pakaura.api.correlation.CorrelationId;
import com.pakaura.api.correlation.TraceContext;

/**
 * First filter of every request: settles its correlation id (the caller's
 * {@code X-Correlation-ID} when well formed, a fresh UUIDv4 otherwise), echoes it on the
 * response, and puts it in the Reactor context, from where it reaches every log line and the
 * event publisher. A well-formed W3C {@code traceparent} (with its {@code tracestate}) goes
 * into the context too, so events continue the caller's trace. Ends with one access log line.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class CorrelationIdWebFilter implements WebFilter {

	private static final Logger log = LoggerFactory.getLogger(CorrelationIdWebFilter.class);

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
		long start = System.nanoTime();
		return chain.filter(exchange).doOnTerminate(() -> logRequest(exchange, start)).contextWrite((context) -> {
			Context withId = context.put(CorrelationId.CONTEXT_KEY, correlationId.value());
			return trace.map((found) -> withId.put(TraceContext.CONTEXT_KEY, found)).orElse(withId);
		});
	}

	private static void logRequest(ServerWebExchange exchange, long start) {
		HttpStatusCode status = exchange.getResponse().getStatusCode();
		log.atInfo()
			.addKeyValue("http_method", exchange.getRequest().getMethod().name())
			.addKeyValue("http_path", exchange.getRequest().getPath().value())
			.addKeyValue("http_status", (status != null) ? status.value() : 200)
			.addKeyValue("duration_ms", (System.nanoTime() - start) / 1_000_000)
			.log("Request handled");
	}

}
