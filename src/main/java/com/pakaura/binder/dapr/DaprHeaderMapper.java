package com.pakaura.binder.dapr;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.cloud.stream.binder.HeaderMode;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.MessageBuilder;

/**
 * What crosses between a message's headers and the sidecar's HTTP headers, both ways, by
 * the binding's {@code header-mode} (Spring Cloud Stream's {@link HeaderMode}):
 * <ul>
 * <li>{@code headers} (the default): a message sent passes its W3C trace context
 * ({@code traceparent}, {@code tracestate}) to the sidecar, which keeps it as the
 * event's; a message delivered gets every HTTP header daprd sent but HTTP's own (its
 * record's {@code __key}, {@code __partition}, {@code __offset} and headers, the trace
 * context).</li>
 * <li>{@code none}: neither. A delivered message still has its CloudEvent's attributes as
 * {@code ce-*} headers and its {@code contentType}: they come from the event, not from
 * the transport.</li>
 * <li>{@code embeddedHeaders} is refused: it would write headers into the payload, which
 * for Dapr is a CloudEvent that daprd reads.</li>
 * </ul>
 */
final class DaprHeaderMapper {

	/**
	 * The trace context headers: with tracing on, the sidecar request's own span replaces
	 * them (its parent is the sender's observation).
	 */
	private static final String[] OUTBOUND = { "traceparent", "tracestate" };

	/**
	 * HTTP's own headers and the sidecar's credential, which are no part of a message.
	 */
	private static final Set<String> HTTP_ONLY = Set.of("host", "content-length", "content-type", "connection",
			"accept", "accept-encoding", "user-agent", "transfer-encoding", DaprSidecarClient.API_TOKEN_HEADER);

	private static final DaprHeaderMapper HEADERS = new DaprHeaderMapper(true);

	private static final DaprHeaderMapper NONE = new DaprHeaderMapper(false);

	private final boolean mapsHeaders;

	private DaprHeaderMapper(boolean mapsHeaders) {
		this.mapsHeaders = mapsHeaders;
	}

	/**
	 * The mapper for a binding's {@code header-mode}; unset is {@code headers}.
	 * @throws IllegalArgumentException for {@code embeddedHeaders}, when the binding is
	 * created
	 */
	static DaprHeaderMapper of(@Nullable HeaderMode mode, String binding) {
		if (mode == HeaderMode.embeddedHeaders) {
			throw new IllegalArgumentException("Binding '" + binding
					+ "': the dapr binder has no embedded headers (the payload is a CloudEvent the sidecar reads);"
					+ " set header-mode to headers or none");
		}
		return (mode == HeaderMode.none) ? NONE : HEADERS;
	}

	/** The HTTP headers a message passes to the sidecar. */
	Map<String, String> toSidecar(MessageHeaders headers) {
		if (!this.mapsHeaders) {
			return Map.of();
		}
		Map<String, String> forwarded = new LinkedHashMap<>();
		for (String name : OUTBOUND) {
			Object value = headers.get(name);
			if (value != null) {
				forwarded.put(name, value.toString());
			}
		}
		return forwarded;
	}

	/**
	 * Copies a delivery's HTTP headers (lower-case names) onto the message being built.
	 */
	void toMessage(Map<String, String> httpHeaders, MessageBuilder<?> message) {
		if (!this.mapsHeaders) {
			return;
		}
		httpHeaders.forEach((name, value) -> {
			if (!HTTP_ONLY.contains(name)) {
				message.setHeader(name, value);
			}
		});
	}

}
