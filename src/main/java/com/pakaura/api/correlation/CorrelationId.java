package com.pakaura.api.correlation;

import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

/**
 * The correlation id of one request: taken from the caller when it is well formed,
 * generated otherwise. It travels in the Reactor context under {@link #CONTEXT_KEY}; the
 * same key names it in the logging MDC, so every log line of the request carries it.
 *
 * @param value 1-64 characters of {@code [A-Za-z0-9._-]}
 */
public record CorrelationId(String value) {

	/** HTTP header that carries the id in both directions. */
	public static final String HEADER = "X-Correlation-ID";

	/** Key in the Reactor context and in the logging MDC. */
	public static final String CONTEXT_KEY = "correlation_id";

	private static final int MAX_LENGTH = 64;

	public CorrelationId {
		if (!isWellFormed(value)) {
			throw new IllegalArgumentException("A correlation id is 1-64 characters of [A-Za-z0-9._-]");
		}
	}

	/** The caller's id when it is well formed, otherwise a fresh UUIDv4. */
	public static CorrelationId fromHeaderOrGenerate(@Nullable String header) {
		return (header != null && isWellFormed(header)) ? new CorrelationId(header) : generate();
	}

	public static CorrelationId generate() {
		return new CorrelationId(UUID.randomUUID().toString());
	}

	/** The id of the request whose Reactor context this is, if the request has one. */
	public static Optional<CorrelationId> in(ContextView context) {
		return context.<String>getOrEmpty(CONTEXT_KEY).map(CorrelationId::new);
	}

	/**
	 * {@code [A-Za-z0-9._-]{1,64}}, checked by hand: every read of the id from a
	 * request's context makes a record of it, and a regular expression there cost 2% of
	 * the CPU.
	 */
	private static boolean isWellFormed(@Nullable String candidate) {
		if (candidate == null || candidate.isEmpty() || candidate.length() > MAX_LENGTH) {
			return false;
		}
		for (int i = 0; i < candidate.length(); i++) {
			char c = candidate.charAt(i);
			boolean allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.'
					|| c == '_' || c == '-';
			if (!allowed) {
				return false;
			}
		}
		return true;
	}

}
