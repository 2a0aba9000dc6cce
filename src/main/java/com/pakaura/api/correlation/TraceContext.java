package com.pakaura.api.correlation;

import java.util.Optional;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

/**
 * The W3C trace context (traceparent, tracestate) a request arrived with, kept so that
 * events the request causes continue its trace. Only a well-formed {@code traceparent} is
 * kept; a malformed one is ignored, as the W3C spec asks.
 *
 * @param traceparent {@code version-traceid-parentid-flags}, e.g.
 * {@code 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01}
 * @param tracestate vendor entries, passed on unchanged; {@code null} when absent
 */
public record TraceContext(String traceparent, @Nullable String tracestate) {

	public static final String TRACEPARENT = "traceparent";

	public static final String TRACESTATE = "tracestate";

	static final int TRACESTATE_MAX_LENGTH = 512;

	static final int TRACESTATE_MAX_MEMBERS = 32;

	/** Key in the Reactor context. */
	public static final String CONTEXT_KEY = "trace_context";

	private static final Pattern TRACEPARENT_FORMAT = Pattern
		.compile("[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}");

	/** The trace context of these header values, if the traceparent is well formed. */
	public static Optional<TraceContext> from(@Nullable String traceparent, @Nullable String tracestate) {
		if (traceparent == null || !TRACEPARENT_FORMAT.matcher(traceparent).matches() || traceparent.startsWith("ff")) {
			return Optional.empty();
		}
		return Optional.of(new TraceContext(traceparent, withinLimits(tracestate) ? tracestate : null));
	}

	/**
	 * W3C Trace Context: a tracestate holds at most 32 list members, and a platform needs
	 * to pass on only 512 characters of it. One over either limit is dropped whole, so
	 * that a caller cannot copy kilobytes into every event the request causes.
	 */
	private static boolean withinLimits(@Nullable String tracestate) {
		if (tracestate == null || tracestate.isBlank() || tracestate.length() > TRACESTATE_MAX_LENGTH) {
			return false;
		}
		return tracestate.chars().filter((c) -> c == ',').count() < TRACESTATE_MAX_MEMBERS;
	}

	public static Optional<TraceContext> in(ContextView context) {
		return context.getOrEmpty(CONTEXT_KEY);
	}

}
