package com.pakaura.api.correlation;

import io.micrometer.tracing.otel.bridge.Slf4JEventListener;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The current trace and span go into the logging MDC as {@code trace.id} and
 * {@code span.id}, the names Elastic Common Schema gives them, in place of Micrometer
 * Tracing's {@code traceId} and {@code spanId}. Boot's structured logging could rename
 * them on the way out ({@code logging.structured.json.rename}), but its renaming runs for
 * every member of every line and builds a message string each time: about 20 KB per
 * access-log line (research.md R23).
 */
@Configuration(proxyBeanMethods = false)
class LogCorrelationConfiguration {

	static final String TRACE_ID_KEY = "trace.id";

	static final String SPAN_ID_KEY = "span.id";

	/** In place of Boot's own, which names the keys Micrometer's way. */
	@Bean
	Slf4JEventListener otelSlf4JEventListener() {
		return new Slf4JEventListener(TRACE_ID_KEY, SPAN_ID_KEY);
	}

}
