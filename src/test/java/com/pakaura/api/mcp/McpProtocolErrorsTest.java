package com.pakaura.api.mcp;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.api.support.ApiTest;
import com.pakaura.api.support.TaskRows;
import com.pakaura.api.support.UserSession;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever a client posts to {@code /mcp}, a malformed message gets the JSON-RPC error
 * the specification names, with nothing of the server's insides, and the log gets at most
 * one WARN line for it: never a 500, never a stack trace.
 */
@ApiTest
@ExtendWith(OutputCaptureExtension.class)
class McpProtocolErrorsTest {

	@Autowired
	private WebTestClient http;

	@Autowired
	private DatabaseClient db;

	@ParameterizedTest
	@ValueSource(strings = { "{", "{\"jsonrpc\":\"2.0\",", "nul", "", "{\"a\":1}{\"b\":2}",
			"{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"ping\"}" })
	void aBodyThatIsNotOneJsonValueIsAParseError(String body, CapturedOutput output) {
		assertError(post(body), HttpStatus.BAD_REQUEST, -32700, null);
		assertQuietLog(output);
	}

	@ParameterizedTest
	@ValueSource(strings = { "42", "\"tools/list\"", "true", "null",
			"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", "{\"jsonrpc\":\"2.0\",\"id\":1}",
			"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}",
			"{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":1,\"message\":\"x\"}}",
			"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}", "{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"ping\"}",
			"{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"ping\"}",
			"{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", "{\"id\":1,\"method\":\"ping\"}",
			"{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", "{\"jsonrpc\":2.0,\"id\":1,\"method\":\"ping\"}" })
	void aMessageThatIsNotARequestIsAnInvalidRequest(String body, CapturedOutput output) {
		// the id is echoed when it could be read, and null otherwise (JSON-RPC 2.0,
		// section 5)
		String id = body.matches("\\{.*\"id\":1[,}].*") ? "1" : null;
		assertError(post(body), HttpStatus.BAD_REQUEST, -32600, id);
		assertQuietLog(output);
	}

	@ParameterizedTest
	@ValueSource(strings = { "foo/bar", "resources/list", "prompts/get", "tools/delete", "" })
	void aMethodThisServerDoesNotOfferIsMethodNotFoundWithTheRequestsId(String method, CapturedOutput output) {
		assertError(post("{\"jsonrpc\":\"2.0\",\"id\":\"r-7\",\"method\":\"" + method + "\"}"), HttpStatus.OK, -32601,
				"r-7");
		assertQuietLog(output);
	}

	@ParameterizedTest
	@ValueSource(strings = { "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\"}",
			"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":[\"add_task\"]}",
			"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":\"add_task\"}",
			"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{}}",
			"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":7}}",
			"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"add_task\",\"arguments\":\"title\"}}",
			"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"add_task\",\"arguments\":[\"t\"]}}",
			"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"initialize\"}",
			"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"initialize\",\"params\":{}}",
			"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{}}}" })
	void paramsOfTheWrongShapeAreInvalidParamsWithTheRequestsId(String body, CapturedOutput output) {
		assertError(post(body), HttpStatus.OK, -32602, "3");
		assertQuietLog(output);
	}

	@Test
	void aMessageThatIsNotJsonIsRefusedAndNeverExecuted(CapturedOutput output) {
		UserSession user = new UserSession(this.http);
		String call = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"add_task\",\"arguments\":{\"title\":\"sneaky\"}}}";
		for (MediaType type : new MediaType[] { MediaType.TEXT_PLAIN, MediaType.APPLICATION_FORM_URLENCODED,
				MediaType.APPLICATION_XML }) {
			WebTestClient.ResponseSpec response = user.post()
				.uri("/mcp")
				.contentType(type)
				.accept(MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM)
				.bodyValue(call)
				.exchange();
			assertError(response, HttpStatus.UNSUPPORTED_MEDIA_TYPE, -32600, null);
		}
		assertThat(new TaskRows(this.db).of(user.userId())).isEmpty();
		assertQuietLog(output);
	}

	@Test
	void anUnknownNotificationIsAcceptedAndIgnored() {
		new UserSession(this.http).post()
			.uri("/mcp")
			.contentType(MediaType.APPLICATION_JSON)
			.accept(MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM)
			.bodyValue("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/whatever\"}")
			.exchange()
			.expectStatus()
			.isAccepted();
	}

	@Test
	void anUnknownToolIsAnErrorThatNamesItNotAServerFailure(CapturedOutput output) {
		WebTestClient.ResponseSpec response = post(
				"{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"drop_tables\",\"arguments\":{}}}");
		Map<String, Object> body = response.expectStatus()
			.isOk()
			.expectBody(UserSession.JSON_OBJECT)
			.returnResult()
			.getResponseBody();
		assertThat(body.toString()).contains("drop_tables").doesNotContain("Exception").doesNotContain("stackTrace");
		assertQuietLog(output);
	}

	private WebTestClient.ResponseSpec post(String body) {
		return new UserSession(this.http).post()
			.uri("/mcp")
			.contentType(MediaType.APPLICATION_JSON)
			.accept(MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM)
			.bodyValue(body)
			.exchange();
	}

	private static void assertError(WebTestClient.ResponseSpec response, HttpStatus status, int code, String id) {
		Map<String, Object> body = response.expectStatus()
			.isEqualTo(status)
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
			.expectBody(UserSession.JSON_OBJECT)
			.returnResult()
			.getResponseBody();
		assertThat(body).containsEntry("jsonrpc", "2.0").containsKey("id").doesNotContainKey("result");
		assertThat(String.valueOf(body.get("id"))).isEqualTo(String.valueOf(id));
		@SuppressWarnings("unchecked")
		Map<String, Object> error = (Map<String, Object>) body.get("error");
		assertThat(error).containsEntry("code", code).containsKey("message");
		assertThat(body.toString()).doesNotContain("stackTrace")
			.doesNotContain("Exception")
			.doesNotContain("java.")
			.doesNotContain("io.modelcontextprotocol");
	}

	private static void assertQuietLog(CapturedOutput output) {
		assertThat(output.getOut()).doesNotContain("\"level\":\"ERROR\"")
			.doesNotContain("stack_trace")
			.doesNotContain("\tat ");
	}

}
