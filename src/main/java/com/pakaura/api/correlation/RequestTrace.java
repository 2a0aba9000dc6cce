package com.pakaura.api.correlation;

import java.util.LinkedHashMap;
import java.util.Map;

import io.micrometer.observation.Observation;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.TracingObservationHandler;
import io.micrometer.tracing.propagation.Propagator;
import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The W3C trace context of the span that a request's work runs in, for what the request
 * causes later: its events carry it as {@code traceparent}/{@code tracestate}, so that
 * consumers and Dapr continue the request's trace. Micrometer Tracing makes the spans
 * (the server span of each HTTP request, spans for queries and sidecar calls); this only
 * reads the current one, as the configured propagator writes it.
 */
@Component
public class RequestTrace {

	public static final String TRACEPARENT = "traceparent";

	public static final String TRACESTATE = "tracestate";

	private final Tracer tracer;

	private final Propagator propagator;

	public RequestTrace(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
		this.tracer = tracer.getIfAvailable(() -> Tracer.NOOP);
		this.propagator = propagator.getIfAvailable(() -> Propagator.NOOP);
	}

	/**
	 * {@code traceparent} and, when the span has one, {@code tracestate} of the span
	 * current in this Reactor context (the observation Reactor carries), else on this
	 * thread. Empty only when tracing is off or does not propagate W3C headers
	 * ({@code management.tracing.propagation.produce}); an unsampled span still has one
	 * (flags {@code 00}).
	 */
	public Map<String, String> headersOf(ContextView context) {
		Span span = spanIn(context);
		if (span == null) {
			return Map.of();
		}
		Map<String, String> injected = new LinkedHashMap<>();
		this.propagator.inject(span.context(), injected, (carrier, key, value) -> injected.put(key, value));
		Map<String, String> w3c = new LinkedHashMap<>();
		String traceparent = injected.get(TRACEPARENT);
		if (traceparent != null) {
			w3c.put(TRACEPARENT, traceparent);
			String tracestate = injected.get(TRACESTATE);
			if (tracestate != null && !tracestate.isEmpty()) {
				w3c.put(TRACESTATE, tracestate);
			}
		}
		return w3c;
	}

	private @Nullable Span spanIn(ContextView context) {
		Observation observation = context.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
		if (observation != null) {
			TracingObservationHandler.TracingContext tracing = observation.getContextView()
				.get(TracingObservationHandler.TracingContext.class);
			if (tracing != null && tracing.getSpan() != null) {
				return tracing.getSpan();
			}
		}
		return this.tracer.currentSpan();
	}

}
