package com.pakaura.api.correlation;

import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Unit tests of {@link TraceContext}: which headers are kept, as W3C Trace Context asks.
 */
class TraceContextTests {

	private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

	@Test
	void aTracestateWithinW3cLimitsIsKeptAsItCame() {
		String members = IntStream.range(0, 32).mapToObj((i) -> "v" + i + "=x").collect(Collectors.joining(","));
		assertThat(TraceContext.from(TRACEPARENT, members)).get()
			.extracting(TraceContext::tracestate)
			.isEqualTo(members);
		assertThat(TraceContext.from(TRACEPARENT, "a=" + "b".repeat(510))).get()
			.extracting(TraceContext::tracestate)
			.isNotNull();
	}

	@Test
	void aTracestateOverW3cLimitsIsDroppedWhole() {
		String tooLong = "congo=" + "t".repeat(7000);
		String tooMany = IntStream.range(0, 33).mapToObj((i) -> "v" + i + "=x").collect(Collectors.joining(","));
		assertThat(TraceContext.from(TRACEPARENT, tooLong)).get().extracting(TraceContext::tracestate).isNull();
		assertThat(TraceContext.from(TRACEPARENT, tooMany)).get().extracting(TraceContext::tracestate).isNull();
	}

}
