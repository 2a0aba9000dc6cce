package com.pakaura.binder.dapr;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * JSON as Go's {@code encoding/json} {@code Marshal} writes a decoded map, which is what
 * daprd sends to the broker for a structured CloudEvent (dapr
 * {@code pkg/api/http/http.go} {@code onPublish}: {@code json.Marshal(envelope)} after
 * components-contrib {@code pubsub/envelope.go} {@code FromCloudEvent}): object keys
 * sorted by their UTF-8 bytes, no white space, {@code <}, {@code >} and {@code &} escaped
 * as six-character {@code \\u} escapes (HTML-safe escaping, on by default), U+2028 and
 * U+2029 escaped too, other non-ASCII characters written as UTF-8, numbers as they came
 * (daprd decodes with {@code UseNumber}).
 */
final class GoJson {

	private static final char[] HEX = "0123456789abcdef".toCharArray();

	private GoJson() {
	}

	static byte[] marshal(JsonNode node) {
		StringBuilder json = new StringBuilder();
		write(node, json);
		return json.toString().getBytes(StandardCharsets.UTF_8);
	}

	private static void write(JsonNode node, StringBuilder json) {
		if (node.isObject()) {
			List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(node.properties());
			fields.sort((a, b) -> Arrays.compareUnsigned(a.getKey().getBytes(StandardCharsets.UTF_8),
					b.getKey().getBytes(StandardCharsets.UTF_8)));
			json.append('{');
			for (int i = 0; i < fields.size(); i++) {
				json.append((i > 0) ? "," : "");
				string(fields.get(i).getKey(), json);
				json.append(':');
				write(fields.get(i).getValue(), json);
			}
			json.append('}');
		}
		else if (node.isArray()) {
			json.append('[');
			for (int i = 0; i < node.size(); i++) {
				json.append((i > 0) ? "," : "");
				write(node.get(i), json);
			}
			json.append(']');
		}
		else if (node.isString()) {
			string(node.stringValue(), json);
		}
		else {
			// numbers, booleans and null: their JSON text
			json.append(node.toString());
		}
	}

	/**
	 * Go's {@code encodeState.string} with {@code escapeHTML} (Go 1.22+ short forms for
	 * backspace and form feed).
	 */
	private static void string(String text, StringBuilder json) {
		json.append('"');
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '"' -> json.append("\\\"");
				case '\\' -> json.append("\\\\");
				case '\n' -> json.append("\\n");
				case '\r' -> json.append("\\r");
				case '\t' -> json.append("\\t");
				case '\b' -> json.append("\\b");
				case '\f' -> json.append("\\f");
				default -> {
					if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
						json.append("\\u")
							.append(HEX[c >> 12 & 0xF])
							.append(HEX[c >> 8 & 0xF])
							.append(HEX[c >> 4 & 0xF])
							.append(HEX[c & 0xF]);
					}
					else if (Character.isHighSurrogate(c) && i + 1 < text.length()
							&& Character.isLowSurrogate(text.charAt(i + 1))) {
						json.append(c).append(text.charAt(++i));
					}
					else if (Character.isSurrogate(c)) {
						// a lone surrogate is invalid UTF-8, which Go writes as U+FFFD
						json.append('\ufffd');
					}
					else {
						json.append(c);
					}
				}
			}
		}
		json.append('"');
	}

}
