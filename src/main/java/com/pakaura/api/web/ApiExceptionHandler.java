package com.pakaura.api.web;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

import org.springframework.beans.TypeMismatchException;
import org.springframework.core.MethodParameter;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.DisconnectedClientHelper;
import org.springframework.web.server.ServerWebInputException;

import com.pakaura.api.correlation.RequestLogging;
import com.pakaura.api.task.TaskNotFoundException;
import com.pakaura.api.task.TaskValidationException;
import com.pakaura.api.task.TaskValidationException.FieldError;

/**
 * Turns every failure of a route into {@code application/problem+json}: the framework's
 * own (405, 415, ...) through the base class, the domain's, and unexpected ones as a 500
 * that shows nothing of the cause.
 */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

	/** How Jackson's strict duplicate detection names the repeated field. */
	private static final Pattern DUPLICATE_FIELD = Pattern.compile("Duplicate Object property \"([^\"]*)\"");

	@ExceptionHandler
	Mono<ResponseEntity<Object>> invalidTask(TaskValidationException ex, ServerWebExchange exchange) {
		return respond(Problems.invalid("Invalid request: " + ex.getMessage(), ex.errors()), exchange);
	}

	@ExceptionHandler
	Mono<ResponseEntity<Object>> taskNotFound(TaskNotFoundException ex, ServerWebExchange exchange) {
		return respond(Problems.of(HttpStatus.NOT_FOUND, String.valueOf(ex.getMessage())), exchange);
	}

	@ExceptionHandler
	Mono<ResponseEntity<Object>> bodyTooLarge(DataBufferLimitException ex, ServerWebExchange exchange) {
		return respond(Problems.tooLarge(), exchange);
	}

	/**
	 * A client that hung up is no server failure: nobody is left to answer, so the error
	 * goes on to the framework, which logs lost clients at DEBUG.
	 */
	@ExceptionHandler
	Mono<ResponseEntity<Object>> unexpected(Exception ex, ServerWebExchange exchange) {
		if (DisconnectedClientHelper.isClientDisconnectedException(ex) || exchange.getResponse().isCommitted()) {
			return Mono.error(ex);
		}
		return RequestLogging.log(() -> log.error("Request failed unexpectedly", ex))
			.then(respond(Problems.unexpected(), exchange));
	}

	/** The codecs refuse an over-long body (sent without a length) with a bare 413. */
	@Override
	protected Mono<ResponseEntity<Object>> handleResponseStatusException(ResponseStatusException ex,
			HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
		if (status.value() == HttpStatus.CONTENT_TOO_LARGE.value()) {
			return respond(Problems.tooLarge(), exchange);
		}
		return super.handleResponseStatusException(ex, headers, status, exchange);
	}

	@Override
	protected Mono<ResponseEntity<Object>> handleServerWebInputException(ServerWebInputException ex,
			HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
		if (hasCause(ex, DataBufferLimitException.class)) {
			return respond(Problems.tooLarge(), exchange);
		}
		return respond(describe(ex), exchange);
	}

	@Override
	protected Mono<ResponseEntity<Object>> handleExceptionInternal(Exception ex, @Nullable Object body,
			@Nullable HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
		return super.handleExceptionInternal(ex, body, headers, status, exchange).doOnNext((response) -> {
			if (response.getBody() instanceof ProblemDetail problem) {
				Problems.enrich(problem, exchange);
			}
		});
	}

	private Mono<ResponseEntity<Object>> respond(ProblemDetail problem, ServerWebExchange exchange) {
		return Mono.just(ResponseEntity.status(problem.getStatus()).body(Problems.enrich(problem, exchange)));
	}

	/** Says which part of the request was wrong, in the caller's terms. */
	private static ProblemDetail describe(ServerWebInputException ex) {
		DecodingException decoding = findCause(ex, DecodingException.class);
		if (decoding != null && StrictUtf8JsonDecoder.NOT_UTF8.equals(decoding.getMessage())) {
			return Problems.of(HttpStatus.BAD_REQUEST, StrictUtf8JsonDecoder.NOT_UTF8);
		}
		JacksonException json = findCause(ex, JacksonException.class);
		if (json != null) {
			return describe(json);
		}
		MethodParameter parameter = ex.getMethodParameter();
		TypeMismatchException mismatch = findCause(ex, TypeMismatchException.class);
		if (parameter != null && mismatch != null) {
			String name = parameterName(parameter);
			String message = Problems.describe(mismatch.getRequiredType());
			return Problems.invalid("Invalid request: " + name + " is malformed",
					List.of(new FieldError(name, (message != null) ? message : "is malformed")));
		}
		if (ex.getReason() != null && ex.getReason().contains("body")) {
			return Problems.of(HttpStatus.BAD_REQUEST, "The request body is required");
		}
		return Problems.of(HttpStatus.BAD_REQUEST, "The request is malformed");
	}

	private static ProblemDetail describe(JacksonException json) {
		String field = fieldOf(json);
		if (json instanceof UnrecognizedPropertyException) {
			return Problems.invalid("Invalid request: " + field + " is not a known field",
					List.of(new FieldError(field, "is not a known field")));
		}
		if (json instanceof MismatchedInputException mismatch) {
			if (field.isEmpty()) {
				return Problems.of(HttpStatus.BAD_REQUEST, "The request body must be a JSON object");
			}
			String message = Problems.describe(mismatch.getTargetType());
			message = (message != null) ? message : "has the wrong type";
			return Problems.invalid("Invalid request: " + field + " " + message,
					List.of(new FieldError(field, message)));
		}
		Matcher duplicate = DUPLICATE_FIELD.matcher(String.valueOf(json.getOriginalMessage()));
		if (duplicate.find()) {
			String name = (field.isEmpty() ? "" : field + ".") + duplicate.group(1);
			return Problems.invalid("Invalid request: " + name + " is given more than once",
					List.of(new FieldError(name, "is given more than once")));
		}
		return Problems.of(HttpStatus.BAD_REQUEST, "The request body is not well-formed JSON");
	}

	/** The JSON path of the offending value, such as {@code due_date}. */
	private static String fieldOf(JacksonException json) {
		StringBuilder field = new StringBuilder();
		for (JacksonException.Reference reference : json.getPath()) {
			if (reference.getPropertyName() != null) {
				field.append(field.isEmpty() ? "" : ".").append(reference.getPropertyName());
			}
			else if (reference.getIndex() >= 0) {
				field.append('[').append(reference.getIndex()).append(']');
			}
		}
		return field.toString();
	}

	private static String parameterName(MethodParameter parameter) {
		String name = parameter.getParameterName();
		return (name != null) ? name : "parameter " + parameter.getParameterIndex();
	}

	private static boolean hasCause(Throwable ex, Class<? extends Throwable> type) {
		return findCause(ex, type) != null;
	}

	private static <T extends Throwable> @Nullable T findCause(Throwable ex, Class<T> type) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
		}
		return null;
	}

}
