package com.pakaura.api.web;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.networknt.schema.Error;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.api.support.ApiTest;
import com.pakaura.api.support.UserSession;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real answers against the published contract: each kind of answer the service gives,
 * success and error, validated with a JSON Schema validator against the schema that
 * contracts/openapi.yaml declares for its operation, status and content type. A client
 * that validates answers against the document accepts every one of them.
 */
@ApiTest
@Import(FailingRoutes.class)
class OpenApiAnswersTest {

	private static final Path CONTRACT = Path.of("specs/004-backend-event-publishing/contracts/openapi.yaml");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final JsonNode DOCUMENT = YAMLMapper.builder().build().readTree(CONTRACT.toFile());

	private final SchemaRegistry schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

	@Autowired
	private WebTestClient http;

	@LocalServerPort
	private int port;

	private UserSession user;

	@BeforeEach
	void aUser() {
		this.user = new UserSession(this.http);
	}

	@Test
	void successAnswersMatchTheirOperations() {
		String id = this.user.createTask(Map.of("title", "Contract", "due_date", "2026-12-01T08:00:00Z"));
		assertMatches("post", "/api/tasks", answer(createWith("{\"title\":\"Second\",\"description\":\"d\"}")));
		assertMatches("get", "/api/tasks", answer(this.user.get().uri("/api/tasks?limit=1")));
		assertMatches("get", "/api/tasks/{id}", answer(this.user.get().uri("/api/tasks/{id}", id)));
		assertMatches("patch", "/api/tasks/{id}",
				answer(this.user.patch()
					.uri("/api/tasks/{id}", id)
					.contentType(MediaType.APPLICATION_JSON)
					.bodyValue("{\"due_date\":null}")));
		assertMatches("post", "/api/tasks/{id}/complete", answer(this.user.post().uri("/api/tasks/{id}/complete", id)));
		assertMatches("post", "/api/tasks/{id}/uncomplete",
				answer(this.user.post().uri("/api/tasks/{id}/uncomplete", id)));
		assertMatches("delete", "/api/tasks/{id}", answer(this.user.delete().uri("/api/tasks/{id}", id)));
	}

	@Test
	void everyKindOfErrorAnswerMatchesTheProblemSchemaOfItsOperation() {
		String missing = "5d08d10c-17fe-485a-806a-1ad7f0f46282";
		// 400: not JSON, a field error, a bad id, a bad parameter, not UTF-8
		assertMatches("post", "/api/tasks", answer(createWith("{\"title\": \"unterminated")));
		assertMatches("post", "/api/tasks", answer(createWith("{\"title\":\" \",\"due_date\":\"tomorrow\"}")));
		assertMatches("get", "/api/tasks/{id}", answer(this.user.get().uri("/api/tasks/not-a-uuid")));
		assertMatches("get", "/api/tasks", answer(this.user.get().uri("/api/tasks?limit=0")));
		assertMatches("post", "/api/tasks", answer(createWith(
				new byte[] { '{', '"', 't', 'i', 't', 'l', 'e', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}' })));
		// 401, 404, 405, 413, 415
		assertMatches("get", "/api/tasks", answer(this.http.get().uri("/api/tasks")));
		assertMatches("get", "/api/tasks/{id}", answer(this.user.get().uri("/api/tasks/{id}", missing)));
		assertMatches("delete", "/api/tasks/{id}", answer(this.user.delete().uri("/api/tasks/{id}", missing)));
		assertMatches("patch", "/api/tasks/{id}",
				answer(this.user.patch()
					.uri("/api/tasks/{id}", missing)
					.contentType(MediaType.APPLICATION_JSON)
					.bodyValue("{\"title\":\"x\"}")));
		assertMatches("post", "/api/tasks/{id}", answer(this.user.post().uri("/api/tasks/{id}", missing)));
		assertMatches("post", "/api/tasks", answer(createWith("{\"title\":\"" + "x".repeat(70 * 1024) + "\"}")));
		assertMatches("post", "/api/tasks",
				answer(this.user.post().uri("/api/tasks").contentType(MediaType.TEXT_PLAIN).bodyValue("title")));
		// answers outside any operation: the Problem schema itself
		assertProblem(answer(this.user.get().uri("/api/nothing-here")));
		assertProblem(answer(this.user.get().uri("/api/test-failure")));
	}

	private WebTestClient.RequestHeadersSpec<?> createWith(Object jsonBody) {
		return this.user.post().uri("/api/tasks").contentType(MediaType.APPLICATION_JSON).bodyValue(jsonBody);
	}

	private EntityExchangeResult<byte[]> answer(WebTestClient.RequestHeadersSpec<?> request) {
		return request.exchange().expectBody().returnResult();
	}

	/**
	 * The answer's status is declared for the operation, with the answer's content type,
	 * and its body is valid against the schema declared there.
	 */
	private void assertMatches(String method, String path, EntityExchangeResult<byte[]> answer) {
		int status = answer.getStatus().value();
		String where = method.toUpperCase() + " " + path + " " + status;
		JsonNode operation = DOCUMENT.path("paths").path(path).path(method);
		if (operation.isMissingNode() && status == 405) {
			// a method the path does not have: any operation of the path says what a 405
			// is
			assertProblem(answer);
			return;
		}
		JsonNode response = operation.path("responses").path(Integer.toString(status));
		assertThat(response.isMissingNode()).as(where + " is declared in %s", CONTRACT).isFalse();
		byte[] body = answer.getResponseBodyContent();
		if (body == null || body.length == 0) {
			assertThat(response.has("content")).as(where + " declares no body").isFalse();
			return;
		}
		String contentType = String.valueOf(answer.getResponseHeaders().getContentType()).replaceFirst(";.*", "");
		JsonNode schema = response.path("content").path(contentType).path("schema");
		assertThat(schema.isMissingNode()).as(where + " declares " + contentType).isFalse();
		assertValid(where, schema, body);
	}

	private void assertProblem(EntityExchangeResult<byte[]> answer) {
		assertThat(answer.getResponseHeaders().getContentType()).hasToString("application/problem+json");
		assertValid("problem " + answer.getStatus(),
				JSON.createObjectNode().put("$ref", "#/components/schemas/Problem"), answer.getResponseBodyContent());
	}

	private void assertValid(String where, JsonNode schema, byte @Nullable [] body) {
		ObjectNode root = (ObjectNode) schema.deepCopy();
		root.set("components", DOCUMENT.get("components"));
		List<Error> errors = this.schemas.getSchema(SchemaLocation.of("https://pakaura.example/openapi.yaml"), root)
			.validate(JSON.readTree(new String(body, StandardCharsets.UTF_8)));
		assertThat(errors).as(where + ": " + new String(body, StandardCharsets.UTF_8)).isEmpty();
	}

}
