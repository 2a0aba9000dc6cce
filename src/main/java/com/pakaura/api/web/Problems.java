package com.pakaura.api.web;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.core.ResolvableType;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

import com.pakaura.api.correlation.CorrelationId;
import com.pakaura.api.task.TaskValidationException;
import com.pakaura.api.task.TaskValidationException.FieldError;

/**
 * RFC 9457 problem details as this API writes them: {@code instance} is the request path,
 * {@code correlation_id} the request's correlation id, and validation failures list each
 * offending field under {@code errors}. Also writes them where no controller is involved
 * (security, filters), with the same codecs the controllers use.
 */
@Component
class Problems {

	private static final ResolvableType PROBLEM_TYPE = ResolvableType.forClass(ProblemDetail.class);

	private final List<HttpMessageWriter<?>> writers;

	Problems(ServerCodecConfigurer codecs) {
		this.writers = codecs.getWriters();
	}

	static ProblemDetail of(HttpStatusCode status, String detail) {
		return ProblemDetail.forStatusAndDetail(status, detail);
	}

	/**
	 * 413: a body over {@link RequestSizeLimitWebFilter#MAX_BODY_BYTES}, however it was
	 * sent.
	 */
	static ProblemDetail tooLarge() {
		return of(HttpStatus.CONTENT_TOO_LARGE,
				"The request body is larger than " + RequestSizeLimitWebFilter.MAX_BODY_BYTES / 1024 + " KiB");
	}

	/** 500: nothing of the cause, only what to quote when reporting it. */
	static ProblemDetail unexpected() {
		return of(HttpStatus.INTERNAL_SERVER_ERROR,
				"The server could not handle the request. Quote the correlation id when reporting it.");
	}

	static ProblemDetail invalid(String detail, List<FieldError> errors) {
		ProblemDetail problem = of(HttpStatusCode.valueOf(400), detail);
		problem.setProperty("errors", errors);
		return problem;
	}

	/** Adds what every problem of this API carries. */
	static ProblemDetail enrich(ProblemDetail problem, ServerWebExchange exchange) {
		if (problem.getInstance() == null) {
			problem.setInstance(instanceOf(exchange));
		}
		CorrelationId correlationId = exchange.getAttribute(CorrelationId.CONTEXT_KEY);
		if (correlationId != null) {
			problem.setProperty(CorrelationId.CONTEXT_KEY, correlationId.value());
		}
		return problem;
	}

	/**
	 * The request's path, as a relative URI: never built from the Host header, which the
	 * caller chooses ({@code Host: evil.example} must not turn up in an answer).
	 */
	private static @Nullable URI instanceOf(ServerWebExchange exchange) {
		try {
			// the raw path, still percent-encoded as it arrived
			return URI.create(exchange.getRequest().getPath().value());
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	/** Writes the problem as the whole response, outside of any controller. */
	Mono<Void> write(ServerWebExchange exchange, ProblemDetail problem) {
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(HttpStatusCode.valueOf(problem.getStatus()));
		return writerFor(MediaType.APPLICATION_PROBLEM_JSON).write(Mono.just(enrich(problem, exchange)), PROBLEM_TYPE,
				MediaType.APPLICATION_PROBLEM_JSON, response, Map.of());
	}

	@SuppressWarnings("unchecked")
	private HttpMessageWriter<ProblemDetail> writerFor(MediaType mediaType) {
		for (HttpMessageWriter<?> writer : this.writers) {
			if (writer.canWrite(PROBLEM_TYPE, mediaType)) {
				return (HttpMessageWriter<ProblemDetail>) writer;
			}
		}
		throw new IllegalStateException("No codec writes " + mediaType);
	}

	static @Nullable String describe(@Nullable Class<?> type) {
		if (type == null) {
			return null;
		}
		if (type == String.class) {
			return TaskValidationException.NOT_TEXT;
		}
		if (type == Boolean.class || type == boolean.class) {
			return "must be true or false";
		}
		if (type == UUID.class) {
			return "must be a UUID";
		}
		if (Number.class.isAssignableFrom(type) || type == int.class || type == long.class) {
			return "must be a whole number";
		}
		return null;
	}

}
