package com.pakaura.api.web;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import org.springframework.web.util.DisconnectedClientHelper;

import com.pakaura.api.correlation.RequestLogging;

/**
 * The last line: any error that escapes the controllers and their advice (a filter, the
 * codecs) still leaves as problem+json, and a 500 never shows a stack trace or SQL.
 * Ordered before Boot's own error handler, which would answer in its own JSON shape.
 */
@Component
@Order(-2)
class UnexpectedErrors implements WebExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(UnexpectedErrors.class);

	private final Problems problems;

	UnexpectedErrors(Problems problems) {
		this.problems = problems;
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
		if (exchange.getResponse().isCommitted() || DisconnectedClientHelper.isClientDisconnectedException(ex)) {
			return Mono.error(ex);
		}
		if (ex instanceof ResponseStatusException status) {
			return this.problems.write(exchange, Problems.of(status.getStatusCode(), reasonOf(status)));
		}
		return RequestLogging.log(() -> log.error("Request failed unexpectedly", ex))
			.then(this.problems.write(exchange, Problems.unexpected()));
	}

	private static String reasonOf(ResponseStatusException ex) {
		if (ex.getReason() != null) {
			return ex.getReason();
		}
		HttpStatus known = HttpStatus.resolve(ex.getStatusCode().value());
		return (known != null) ? known.getReasonPhrase() : "Request failed";
	}

}
