package com.pakaura.api.web;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import reactor.netty.NettyPipeline;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;

/**
 * Lets a request whose target has characters RFC 3986 forbids ({@code GET
 * /api/tasks/{id}}, a {@code |}, a lone {@code %}) reach the application,
 * percent-encoded, so that it gets the same problem+json answer, correlation id and
 * access log line as any other bad request. Without this, Spring's
 * {@code ReactorHttpHandlerAdapter} fails to build the request's URI and answers a bare
 * 400 with no body, which no filter or handler sees. Encoding changes no valid target,
 * and an encoded character is only data: a braced id is still no UUID, an encoded
 * {@code %} is refused by the firewall.
 */
@Component
class RequestTargetEncoding implements NettyServerCustomizer {

	private static final String HANDLER_NAME = "pakaura.requestTargetEncoding";

	private static final String HEX = "0123456789ABCDEF";

	@Override
	public reactor.netty.http.server.HttpServer apply(reactor.netty.http.server.HttpServer server) {
		return server.doOnChannelInit((observer, channel, remoteAddress) -> {
			// HTTP/1.1 connections only: another protocol's pipeline has no such handler
			if (channel.pipeline().get(NettyPipeline.HttpTrafficHandler) != null) {
				channel.pipeline().addBefore(NettyPipeline.HttpTrafficHandler, HANDLER_NAME, new Handler());
			}
		});
	}

	/** The request target as it will parse, or as it came when it already does. */
	static String encoded(String target) {
		if (plain(target) || parses(target)) {
			return target;
		}
		StringBuilder encoded = new StringBuilder(target.length() + 16);
		boolean fragment = false;
		for (int i = 0; i < target.length(); i++) {
			char c = target.charAt(i);
			boolean keep;
			if (c == '%') {
				keep = i + 2 < target.length() && isHex(target.charAt(i + 1)) && isHex(target.charAt(i + 2));
			}
			else if (c == '#') {
				keep = !fragment;
				fragment = true;
			}
			else {
				keep = c > 0x20 && c < 0x7F && "\"<>\\^`{|}[]".indexOf(c) < 0;
			}
			if (keep) {
				encoded.append(c);
			}
			else if (c <= 0xFF) {
				// Netty reads the request line as ISO-8859-1: the char is the byte sent
				appendEscaped(encoded, c);
			}
			else {
				for (byte b : String.valueOf(c).getBytes(StandardCharsets.UTF_8)) {
					appendEscaped(encoded, b & 0xFF);
				}
			}
		}
		String result = encoded.toString();
		return parses(result) ? result : target;
	}

	/**
	 * Printable ASCII that a URI holds as it is, and no {@code %} or {@code #} to check:
	 * most targets, decided without building a URI.
	 */
	private static boolean plain(String target) {
		for (int i = 0; i < target.length(); i++) {
			char c = target.charAt(i);
			if (c <= 0x20 || c >= 0x7F || "\"<>\\^`{|}[]%#".indexOf(c) >= 0) {
				return false;
			}
		}
		return true;
	}

	private static boolean parses(String target) {
		try {
			new URI(target);
			return true;
		}
		catch (URISyntaxException ex) {
			return false;
		}
	}

	private static void appendEscaped(StringBuilder encoded, int octet) {
		encoded.append('%').append(HEX.charAt(octet >> 4)).append(HEX.charAt(octet & 0xF));
	}

	private static boolean isHex(char c) {
		return Character.digit(c, 16) >= 0;
	}

	/** One per connection: it holds no state, but Netty handlers are not shared here. */
	private static final class Handler extends ChannelInboundHandlerAdapter {

		@Override
		public void channelRead(ChannelHandlerContext context, Object message) {
			if (message instanceof HttpRequest request) {
				String target = request.uri();
				String encoded = encoded(target);
				if (!encoded.equals(target)) {
					request.setUri(encoded);
				}
			}
			context.fireChannelRead(message);
		}

	}

}
