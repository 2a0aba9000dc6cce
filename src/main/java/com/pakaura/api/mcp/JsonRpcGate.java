package com.pakaura.api.mcp;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.pakaura.api.correlation.RequestLogging;

/**
 * Checks every message posted to {@code /mcp} against JSON-RPC 2.0 and the MCP methods
 * this server offers before the MCP SDK sees it, and answers what does not fit with the
 * JSON-RPC error the specifications name: -32700 (not JSON), -32600 (not a request: a
 * batch, a response, a wrong {@code jsonrpc}, {@code id} or {@code method}, a body that
 * is not {@code application/json}), -32601 (a method this server does not offer) and
 * -32602 (params of the wrong shape). The answer says what is wrong in the caller's terms
 * and nothing of the server's insides; each refusal is one WARN line.
 *
 * <p>
 * MCP's Streamable HTTP transport (2025-06-18) sends one message per POST: batches were
 * removed from the protocol. Errors about the message as a whole (-32700, -32600) answer
 * 400; errors about a well-formed request (-32601, -32602) are ordinary JSON-RPC
 * responses with its {@code id}, answered 200.
 */
final class JsonRpcGate implements HandlerFilterFunction<ServerResponse, ServerResponse> {

	static final int PARSE_ERROR = -32700;

	static final int INVALID_REQUEST = -32600;

	static final int METHOD_NOT_FOUND = -32601;

	static final int INVALID_PARAMS = -32602;

	/** The requests this stateless, tools-only server answers. */
	private static final Set<String> METHODS = Set.of("initialize", "ping", "tools/list", "tools/call");

	/**
	 * The notifications the SDK takes; any other notification is accepted and ignored.
	 */
	private static final Set<String> NOTIFICATIONS = Set.of("notifications/initialized", "notifications/cancelled",
			"notifications/roots/list_changed", "notifications/progress");

	private static final Logger log = LoggerFactory.getLogger(JsonRpcGate.class);

	private static final JsonMapper JSON = JsonMapper.builder()
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.build();

	@Override
	public Mono<ServerResponse> filter(ServerRequest request, HandlerFunction<ServerResponse> next) {
		if (request.method() != HttpMethod.POST) {
			return next.handle(request);
		}
		MediaType contentType = request.headers().contentType().orElse(null);
		if (contentType == null || !MediaType.APPLICATION_JSON.isCompatibleWith(contentType)) {
			return refuse(HttpStatus.UNSUPPORTED_MEDIA_TYPE, null, INVALID_REQUEST,
					"Messages must be sent as Content-Type: application/json");
		}
		return request.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap((body) -> {
			JsonNode message;
			try {
				message = JSON.readTree(body);
			}
			catch (JacksonException ex) {
				return refuse(HttpStatus.BAD_REQUEST, null, PARSE_ERROR,
						"Parse error: the body is not one well-formed JSON value");
			}
			if (message == null || message.isMissingNode()) {
				return refuse(HttpStatus.BAD_REQUEST, null, PARSE_ERROR, "Parse error: the body is empty");
			}
			Refusal refusal = check(message);
			if (refusal != null) {
				return refuse(refusal.status(), refusal.id(), refusal.code(), refusal.message());
			}
			if (!message.has("id") && !NOTIFICATIONS.contains(message.get("method").stringValue())) {
				return ServerResponse.accepted().build();
			}
			return next.handle(ServerRequest.from(request).body(new String(body, StandardCharsets.UTF_8)).build());
		});
	}

	/** What is wrong with the message, or {@code null} when the SDK may have it. */
	private static @Nullable Refusal check(JsonNode message) {
		if (message.isArray()) {
			return invalid(null, "Batches are not supported: send one JSON-RPC message per request");
		}
		if (!message.isObject()) {
			return invalid(null, "A JSON-RPC message is a JSON object");
		}
		JsonNode id = message.get("id");
		if (id != null && !(id.isString() || id.isIntegralNumber())) {
			return invalid(null, "id must be a string or an integer");
		}
		if (!message.path("jsonrpc").isString() || !"2.0".equals(message.get("jsonrpc").stringValue())) {
			return invalid(id, "jsonrpc must be \"2.0\"");
		}
		JsonNode method = message.get("method");
		if (method == null) {
			return invalid(id, (message.has("result") || message.has("error"))
					? "This server sends no requests, so it takes no responses" : "method is required");
		}
		if (!method.isString()) {
			return invalid(id, "method must be a string");
		}
		JsonNode params = message.get("params");
		if (params != null && !params.isObject()) {
			return invalidParams(id, "params must be an object");
		}
		if (id == null) {
			return null;
		}
		String name = method.stringValue();
		if (!METHODS.contains(name)) {
			return new Refusal(HttpStatus.OK, id, METHOD_NOT_FOUND, "Method not found: " + name);
		}
		return switch (name) {
			case "initialize" -> checkInitialize(id, params);
			case "tools/call" -> checkToolCall(id, params);
			default -> null;
		};
	}

	private static @Nullable Refusal checkInitialize(JsonNode id, @Nullable JsonNode params) {
		if (params == null) {
			return invalidParams(id, "initialize needs params with protocolVersion, capabilities and clientInfo");
		}
		if (!params.path("protocolVersion").isString()) {
			return invalidParams(id, "params.protocolVersion must be a string");
		}
		if (!params.path("capabilities").isObject()) {
			return invalidParams(id, "params.capabilities must be an object");
		}
		if (!params.path("clientInfo").isObject() || !params.path("clientInfo").path("name").isString()) {
			return invalidParams(id, "params.clientInfo must be an object with a name");
		}
		return null;
	}

	private static @Nullable Refusal checkToolCall(JsonNode id, @Nullable JsonNode params) {
		if (params == null) {
			return invalidParams(id, "tools/call needs params with the tool's name");
		}
		if (!params.path("name").isString()) {
			return invalidParams(id, "params.name must be a string");
		}
		JsonNode arguments = params.get("arguments");
		if (arguments != null && !arguments.isObject() && !arguments.isNull()) {
			return invalidParams(id, "params.arguments must be an object");
		}
		return null;
	}

	private static Refusal invalid(@Nullable JsonNode id, String message) {
		return new Refusal(HttpStatus.BAD_REQUEST, id, INVALID_REQUEST, "Invalid request: " + message);
	}

	private static Refusal invalidParams(@Nullable JsonNode id, String message) {
		return new Refusal(HttpStatus.OK, id, INVALID_PARAMS, "Invalid params: " + message);
	}

	private static Mono<ServerResponse> refuse(HttpStatus status, @Nullable JsonNode id, int code, String message) {
		ObjectNode error = JSON.createObjectNode();
		error.put("jsonrpc", "2.0");
		error.set("id", (id != null) ? id : JSON.nullNode());
		error.putObject("error").put("code", code).put("message", message);
		return RequestLogging
			.log(() -> log.atWarn()
				.addKeyValue("jsonrpc_code", code)
				.addKeyValue("http_status", status.value())
				.log("MCP message refused: {}", message))
			.then(ServerResponse.status(status)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(JSON.writeValueAsString(error)));
	}

	private record Refusal(HttpStatus status, @Nullable JsonNode id, int code, String message) {

	}

}
