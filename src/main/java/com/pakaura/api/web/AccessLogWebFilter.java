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

import com.pakaura.api.correlation.RequestLogging;

/**
 * One INFO line per request once it has ended: method, path, status, duration. Right
 * after {@link CorrelationIdWebFilter}, so the line carries the request's correlation id.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class AccessLogWebFilter implements WebFilter {

	private static final Logger log = LoggerFactory.getLogger(AccessLogWebFilter.class);

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (!log.isInfoEnabled()) {
			return chain.filter(exchange);
		}
		long start = System.nanoTime();
		return Mono.deferContextual(
				(request) -> chain.filter(exchange).doOnTerminate(() -> RequestLogging.inContextOf(request, () -> {
					HttpStatusCode status = exchange.getResponse().getStatusCode();
					log.atInfo()
						.addKeyValue("http_method", exchange.getRequest().getMethod().name())
						.addKeyValue("http_path", exchange.getRequest().getPath().value())
						.addKeyValue("http_status", (status != null) ? status.value() : 200)
						.addKeyValue("duration_ms", (System.nanoTime() - start) / 1_000_000)
						.log("Request handled");
				})));
	}

}
