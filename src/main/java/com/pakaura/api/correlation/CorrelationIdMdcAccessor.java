package com.pakaura.api.correlation;

import io.micrometer.context.ThreadLocalAccessor;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * Mirrors the correlation id of the Reactor context into the logging MDC on whatever
 * thread runs the request, so log lines carry it without anyone passing it around.
 *
 * <p>
 * Registered through {@code META-INF/services} with Micrometer's context-propagation
 * registry; Reactor applies it where asked ({@code handle}, {@code tap}), and
 * {@link RequestLogging} where the service logs for a request.
 */
public final class CorrelationIdMdcAccessor implements ThreadLocalAccessor<String> {

	@Override
	public Object key() {
		return CorrelationId.CONTEXT_KEY;
	}

	@Override
	public @Nullable String getValue() {
		return MDC.get(CorrelationId.CONTEXT_KEY);
	}

	@Override
	public void setValue(String value) {
		MDC.put(CorrelationId.CONTEXT_KEY, value);
	}

	@Override
	public void setValue() {
		MDC.remove(CorrelationId.CONTEXT_KEY);
	}

}
