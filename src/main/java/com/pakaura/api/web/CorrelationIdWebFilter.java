package com.pakaura.api.web;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import com.pakaura.api.correlation.CorrelationId;

/**
 * First filter of every request: settles its correlation id (the caller's
 * {@code X-Correlation-ID} when well formed, a fresh UUIDv4 otherwise), echoes it on the
 * response, and puts it in the Reactor context, from where it reaches every log line and the
 * event publisher. Ends with one access log line.
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
		long start = System.nanoTime();
		return chain.filter(exchange)
			.doOnTerminate(() -> logRequest(exchange, start))
			.contextWrite((context) -> context.put(CorrelationId.CONTEXT_KEY, correlationId.value()));
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
