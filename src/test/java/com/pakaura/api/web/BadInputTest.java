package com.pakaura.api.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

import com.pakaura.api.support.ApiTest;
import com.pakaura.api.support.TaskRows;
import com.pakaura.api.support.UserSession;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every kind of bad request gets a 4xx problem+json that says what was wrong, and changes
 * nothing: after each test the user's rows are exactly as before.
 */
@ApiTest
@Import(FailingRoutes.class)
class BadInputTest {

	@Autowired
	private WebTestClient http;

	@Autowired
	private DatabaseClient db;

	@LocalServerPort
	private int port;

	private UserSession alice;

	private String taskId;

	private List<Map<String, Object>> rowsBefore;

	@BeforeEach
	void aliceHasOneTask() {
		this.alice = new UserSession(this.http);
		this.taskId = this.alice.createTask(Map.of("title", "Existing", "due_date", "2026-12-01T08:00:00Z"));
		this.rowsBefore = new TaskRows(this.db).of(this.alice.userId());
	}

	@AfterEach
	void nothingChanged() {
		assertThat(new TaskRows(this.db).of(this.alice.userId())).isEqualTo(this.rowsBefore);
	}

	@Test
	void malformedJsonIs400() {
		expectProblem(create("{\"title\": \"unterminated"), 400).jsonPath("$.detail")
			.isEqualTo("The request body is not well-formed JSON");
	}

	@Test
	void aBodyThatIsNotAnObjectIs400() {
		expectProblem(create("[\"title\"]"), 400).jsonPath("$.detail")
			.isEqualTo("The request body must be a JSON object");
		expectProblem(patch("\"title\""), 400).jsonPath("$.detail").isEqualTo("The request body must be a JSON object");
	}

	@Test
	void aMissingBodyIs400() {
		expectProblem(this.alice.post().uri("/api/tasks").contentType(MediaType.APPLICATION_JSON), 400)
			.jsonPath("$.detail")
			.isEqualTo("The request body is required");
	}

	@Test
	void aWrongTypeNamesTheField() {
		expectFieldErrors(create("{\"title\": 123}"), "title", "must be a string");
		expectFieldErrors(create("{\"title\": \"ok\", \"due_date\": 20261201}"), "due_date", "must be a string");
		expectFieldErrors(create("{\"title\": true}"), "title", "must be a string");
		expectFieldErrors(patch("{\"title\": 5}"), "title", "must be a string");
		expectFieldErrors(patch("{\"due_date\": {\"at\": 1}}"), "due_date", "must be a string");
	}

	@Test
	void anUnknownFieldIsNamed() {
		expectFieldErrors(create("{\"title\": \"x\", \"completed\": true}"), "completed", "is not a known field");
		expectFieldErrors(patch("{\"dueDate\": \"2026-12-01T08:00:00Z\"}"), "dueDate", "is not a known field");
	}

	@Test
	void aMissingOrBlankTitleIs400() {
		expectFieldErrors(create("{\"description\": \"no title\"}"), "title", "is required");
		expectFieldErrors(create("{\"title\": \"   \"}"), "title", "must not be blank");
		expectFieldErrors(patch("{\"title\": \"\\t \"}"), "title", "must not be blank");
		expectFieldErrors(patch("{\"title\": null}"), "title", "must not be null");
	}

	@Test
	void tooLongTextIs400AndTheLimitsThemselvesAreAccepted() {
		expectFieldErrors(create(json(Map.of("title", "x".repeat(256)))), "title", "must be at most 255 characters");
		expectFieldErrors(create(json(Map.of("title", "ok", "description", "d".repeat(4001)))), "description",
				"must be at most 4000 characters");
		expectFieldErrors(patch(json(Map.of("title", "é".repeat(256)))), "title", "must be at most 255 characters");

		// At the limits (counted in characters, not bytes), the same requests succeed.
		String id = this.alice.createTask(Map.of("title", "é".repeat(255), "description", "d".repeat(4000)));
		assertThat(this.alice.read(id)).containsEntry("title", "é".repeat(255));
		this.alice.delete().uri("/api/tasks/{id}", id).exchange().expectStatus().isNoContent();
	}

	@Test
	void aNulCharacterIsRefused() {
		expectFieldErrors(create("{\"title\": \"a\\u0000b\"}"), "title", "must not contain NUL characters");
	}

	@Test
	void aLoneSurrogateIsRefusedRatherThanStoredAsAQuestionMark() {
		String notUnicode = "must be Unicode text: it has a lone UTF-16 surrogate (an escape such as \\ud800 without its pair)";
		expectFieldErrors(create("{\"title\": \"a\\ud800b\"}"), "title", notUnicode);
		expectFieldErrors(create("{\"title\": \"ok\", \"description\": \"\\udfffz\"}"), "description", notUnicode);
		expectFieldErrors(patch("{\"title\": \"x\\udbff\"}"), "title", notUnicode);
		// a surrogate pair is one character, and welcome
		String id = this.alice.createTask(Map.of("title", "Pair \ud83d\ude00"));
		assertThat(this.alice.read(id)).containsEntry("title", "Pair \ud83d\ude00");
		this.alice.delete().uri("/api/tasks/{id}", id).exchange().expectStatus().isNoContent();
	}

	@ParameterizedTest
	@ValueSource(strings = { "\\u00a0\\u00a0", "\\u200b", "\\u2007\\u202f", "\\ufeff", "\\u3000\\u200d", "\\u3164" })
	void aTitleThatShowsNothingIsBlank(String escapes) {
		expectFieldErrors(create("{\"title\": \"" + escapes + "\"}"), "title", "must not be blank");
		expectFieldErrors(patch("{\"title\": \"" + escapes + "\"}"), "title", "must not be blank");
	}

	@Test
	void aFieldGivenTwiceIsRefusedNotSilentlyOverwritten() {
		expectFieldErrors(create("{\"title\": \"a\", \"title\": \"b\"}"), "title", "is given more than once");
		expectFieldErrors(patch("{\"due_date\": null, \"title\": \"a\", \"due_date\": null}"), "due_date",
				"is given more than once");
	}

	@ParameterizedTest
	@ValueSource(
			strings = { "tomorrow", "2026-12-01", "2026-12-01T10:00:00", "2026-13-01T10:00:00Z", "01/12/2026 10:00" })
	void aDueDateThatIsNotAnRfc3339TimestampIs400(String dueDate) {
		expectFieldErrors(create(json(Map.of("title", "x", "due_date", dueDate))), "due_date",
				"must be an RFC 3339 timestamp with a time zone offset, such as 2026-12-01T09:00:00Z");
		expectFieldErrors(patch(json(Map.of("due_date", dueDate))), "due_date",
				"must be an RFC 3339 timestamp with a time zone offset, such as 2026-12-01T09:00:00Z");
	}

	@Test
	void everyOffendingFieldIsNamedAtOnce() {
		expectProblem(create("{\"title\": \"\", \"due_date\": \"soon\"}"), 400).jsonPath("$.errors.length()")
			.isEqualTo(2)
			.jsonPath("$.errors[?(@.field == 'title')].message")
			.isEqualTo("must not be blank")
			.jsonPath("$.errors[?(@.field == 'due_date')]")
			.exists();
		expectProblem(patch("{\"title\": 1, \"colour\": \"red\"}"), 400).jsonPath("$.errors.length()").isEqualTo(2);
	}

	@Test
	void aMalformedTaskIdIs400() {
		for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.DELETE, HttpMethod.PATCH)) {
			WebTestClient.RequestBodySpec request = this.alice.patch().uri("/api/tasks/not-a-uuid");
			if (method != HttpMethod.PATCH) {
				request = this.http.method(method)
					.uri("/api/tasks/not-a-uuid")
					.headers((headers) -> headers.setBearerAuth(tokenOf(this.alice)));
			}
			expectFieldErrors(request.contentType(MediaType.APPLICATION_JSON).bodyValue("{}"), "id", "must be a UUID");
		}
		expectFieldErrors(this.alice.post().uri("/api/tasks/12345/complete"), "id", "must be a UUID");
		// UUID.fromString would pad these into some task's id
		for (String lax : List.of("1-1-1-1-1", "0-0-0-0-0", "0001-0001-0001-0001-000000000001", "+1-1-1-1-1")) {
			expectFieldErrors(this.alice.get().uri("/api/tasks/" + lax), "id", "must be a UUID");
		}
		this.alice.get().uri("/api/tasks/" + this.taskId.toUpperCase()).exchange().expectStatus().isOk();
	}

	@Test
	void badListParametersAre400() {
		expectFieldErrors(this.alice.get().uri("/api/tasks?limit=0"), "limit", "must be between 1 and 200");
		expectFieldErrors(this.alice.get().uri("/api/tasks?limit=201"), "limit", "must be between 1 and 200");
		expectFieldErrors(this.alice.get().uri("/api/tasks?limit=ten"), "limit", "must be a whole number");
		// empty is no number either, not "no limit given"
		expectFieldErrors(this.alice.get().uri("/api/tasks?limit="), "limit", "must be a whole number");
		expectFieldErrors(this.alice.get().uri("/api/tasks?completed=maybe"), "completed", "must be true or false");
		for (String lax : List.of("1", "0", "yes", "no", "on", "off", "TRUE", "False")) {
			expectFieldErrors(this.alice.get().uri("/api/tasks?completed=" + lax), "completed",
					"must be true or false");
		}
		for (String lax : List.of("0x10", "#10", "1e1", "10.0", "0x0A")) {
			expectFieldErrors(this.alice.get().uri("/api/tasks?limit={limit}", lax), "limit", "must be a whole number");
		}
		expectFieldErrors(this.alice.get().uri("/api/tasks?cursor=bm90LWEtY3Vyc29y"), "cursor",
				"is not a cursor from a previous page of this list");
		expectFieldErrors(this.alice.get().uri("/api/tasks?cursor=%%%"), "cursor",
				"is not a cursor from a previous page of this list");
	}

	@Test
	void aBodyOver64KibWithItsLengthDeclaredIs413BeforeItIsRead() throws Exception {
		String huge = json(Map.of("title", "big", "description", "x".repeat(70 * 1024)));
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/api/tasks"))
				.header(HttpHeaders.AUTHORIZATION, "Bearer " + tokenOf(this.alice))
				.header(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON_VALUE)
				.POST(HttpRequest.BodyPublishers.ofString(huge))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(413);
		assertThat(response.headers().firstValue(HttpHeaders.CONTENT_TYPE))
			.hasValue(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		assertThat(response.body()).contains("\"detail\":\"The request body is larger than 64 KiB\"");
	}

	@Test
	void aBodyOver64KibSentInChunksIs413() {
		String huge = json(Map.of("title", "big", "description", "x".repeat(70 * 1024)));
		DataBuffer chunk = DefaultDataBufferFactory.sharedInstance.wrap(huge.getBytes(StandardCharsets.UTF_8));
		expectProblem(this.alice.post()
			.uri("/api/tasks")
			.contentType(MediaType.APPLICATION_JSON)
			.body(BodyInserters.fromDataBuffers(Flux.just(chunk))), 413).jsonPath("$.detail")
			.isEqualTo("The request body is larger than 64 KiB");
	}

	@Test
	void aWrongContentTypeIs415() {
		expectProblem(this.alice.post().uri("/api/tasks").contentType(MediaType.TEXT_PLAIN).bodyValue("title=x"), 415);
		expectProblem(this.alice.patch()
			.uri("/api/tasks/{id}", this.taskId)
			.contentType(MediaType.APPLICATION_XML)
			.bodyValue("<title>x</title>"), 415);
	}

	@Test
	void anUnsupportedMethodIs405WithAllow() {
		expectProblem(this.http.put()
			.uri("/api/tasks/{id}", this.taskId)
			.headers((headers) -> headers.setBearerAuth(tokenOf(this.alice)))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"title\":\"x\"}"), 405);
		this.http.put()
			.uri("/api/tasks/{id}", this.taskId)
			.headers((headers) -> headers.setBearerAuth(tokenOf(this.alice)))
			.exchange()
			.expectHeader()
			.value(HttpHeaders.ALLOW, (allow) -> assertThat(allow).contains("PATCH").contains("DELETE"));
	}

	@ParameterizedTest
	@ValueSource(strings = { "/api/tasks/%00", "/api/tasks/..%2f..%2fetc", "/api/tasks%2f", "/api/tasks/a%5cb",
			"/api/tasks/%2e%2e/x" })
	void aUrlTheFirewallRefusesIsAProblemWithTheCorrelationId(String path) throws Exception {
		assertRawProblem("GET " + path + " HTTP/1.1", path);
	}

	@ParameterizedTest
	@ValueSource(strings = { "TRACE", "FOO", "PROPFIND" })
	void aMethodTheFirewallRefusesIsAProblemWithTheCorrelationId(String method) throws Exception {
		assertRawProblem(method + " /api/tasks HTTP/1.1", "/api/tasks");
	}

	@Test
	void aBodyThatIsNotValidUtf8IsRefusedNotReadAsOtherText() {
		// C0 AF is an overlong "/" (RFC 3629 forbids it); Jackson alone would store "a/b"
		byte[] overlong = { '{', '"', 't', 'i', 't', 'l', 'e', '"', ':', '"', 'a', (byte) 0xC0, (byte) 0xAF, 'b', '"',
				'}' };
		expectProblem(this.alice.post().uri("/api/tasks").contentType(MediaType.APPLICATION_JSON).bodyValue(overlong),
				400)
			.jsonPath("$.detail")
			.isEqualTo("The request body is not valid UTF-8");
		byte[] truncated = { '{', '"', 't', 'i', 't', 'l', 'e', '"', ':', '"', 'a', (byte) 0xE2, (byte) 0x82, '"',
				'}' };
		expectProblem(this.alice.post().uri("/api/tasks").contentType(MediaType.APPLICATION_JSON).bodyValue(truncated),
				400)
			.jsonPath("$.detail")
			.isEqualTo("The request body is not valid UTF-8");
	}

	/**
	 * Characters RFC 3986 does not allow in a request target: a client that sends them
	 * raw gets the API's problem, not the web adapter's bare 400 with no body.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "/api/tasks/{5d08d10c-17fe-485a-806a-1ad7f0f46282}", "/api/tasks?completed={true}",
			"/api/tasks/a|b", "/api/tasks/%zz", "/api/tasks/\"x\"", "/api/tasks/<x>", "/api/tasks/a\\b",
			"/api/tasks/x^y", "/api/tasks/[x]", "/api/tasks/x`y", "/api/tasks/a#b#c", "/api/tasks/\u00e9\u0080" })
	void aTargetWithCharactersAUriMayNotHoldIsAProblemNotABare400(String target) throws Exception {
		String answer = rawRequest("GET " + target + " HTTP/1.1", "Host: localhost", "X-Correlation-ID: raw-1",
				"Authorization: Bearer " + tokenOf(this.alice));
		assertThat(answer).startsWith("HTTP/1.1 400")
			.containsIgnoringCase("content-type: application/problem+json")
			.contains("\"correlation_id\":\"raw-1\"")
			.contains("\"status\":400");
	}

	@Test
	void theProblemsInstanceIsThePathWhateverTheHostHeaderSays() throws Exception {
		String answer = rawRequest("GET /api/tasks/not-a-uuid HTTP/1.1", "Host: evil.example",
				"Authorization: Bearer " + tokenOf(this.alice));
		assertThat(answer).startsWith("HTTP/1.1 400")
			.contains("\"instance\":\"/api/tasks/not-a-uuid\"")
			.doesNotContain("evil.example");
	}

	/**
	 * Sends the request line as written, byte for byte: a client library would normalize
	 * it.
	 */
	private void assertRawProblem(String requestLine, String path) throws Exception {
		String answer = rawRequest(requestLine, "Host: localhost", "X-Correlation-ID: firewall-1");
		assertThat(answer).startsWith("HTTP/1.1 400")
			.containsIgnoringCase("content-type: application/problem+json")
			.contains("\"correlation_id\":\"firewall-1\"")
			.contains("\"status\":400")
			.containsIgnoringCase("x-correlation-id: firewall-1");
	}

	private String rawRequest(String requestLine, String... headers) throws Exception {
		try (java.net.Socket socket = new java.net.Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(60_000);
			String request = requestLine + "\r\n" + String.join("\r\n", headers) + "\r\nConnection: close\r\n\r\n";
			socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
			return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
		}
	}

	@Test
	void anUnknownRouteIs404() {
		expectProblem(this.alice.get().uri("/api/nothing-here"), 404);
	}

	@Test
	void anUnexpectedFailureIs500AndShowsNothingOfItsCause() {
		String body = expectProblem(this.alice.get().uri("/api/test-failure"), 500).jsonPath("$.detail")
			.isEqualTo("The server could not handle the request. Quote the correlation id when reporting it.")
			.returnResult()
			.toString();
		assertThat(body).doesNotContain("SELECT")
			.doesNotContain("secret_table")
			.doesNotContain("Exception")
			.doesNotContain("at com.");
	}

	private WebTestClient.RequestHeadersSpec<?> create(String body) {
		return this.alice.post().uri("/api/tasks").contentType(MediaType.APPLICATION_JSON).bodyValue(body);
	}

	private WebTestClient.RequestHeadersSpec<?> patch(String body) {
		return this.alice.patch()
			.uri("/api/tasks/{id}", this.taskId)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body);
	}

	private static WebTestClient.BodyContentSpec expectProblem(WebTestClient.RequestHeadersSpec<?> request,
			int status) {
		return request.exchange()
			.expectStatus()
			.isEqualTo(status)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo(status)
			.jsonPath("$.title")
			.exists()
			.jsonPath("$.detail")
			.exists()
			.jsonPath("$.instance")
			.exists()
			.jsonPath("$.correlation_id")
			.exists();
	}

	private static void expectFieldErrors(WebTestClient.RequestHeadersSpec<?> request, String field, String message) {
		expectProblem(request, 400).jsonPath("$.errors[0].field")
			.isEqualTo(field)
			.jsonPath("$.errors[0].message")
			.isEqualTo(message);
	}

	private static String json(Map<String, String> fields) {
		StringBuilder json = new StringBuilder("{");
		fields.forEach((name, value) -> json.append(json.length() > 1 ? "," : "")
			.append('"')
			.append(name)
			.append("\":\"")
			.append(value)
			.append('"'));
		return json.append('}').toString();
	}

	private static String tokenOf(UserSession user) {
		return com.pakaura.api.support.Tokens.forUser(user.userId());
	}

}
