package com.pakaura.api.mcp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.ai.mcp.client.webflux.transport.WebClientStreamableHttpTransport;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

import com.pakaura.api.support.ApiTest;
import com.pakaura.api.support.OneRequestPerConnection;
import com.pakaura.api.support.PublishedEvents;
import com.pakaura.api.support.PublishedEvents.Published;
import com.pakaura.api.support.TaskRows;
import com.pakaura.api.support.Tokens;
import com.pakaura.api.support.UserSession;
import com.pakaura.api.task.Task;
import com.pakaura.api.task.TaskService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * The MCP server, driven by the MCP Java SDK's own client over HTTP, as a chatbot would.
 */
@ApiTest
class McpToolsTest {

	private static final String CORRELATION_ID = "chat-turn-42";

	@LocalServerPort
	private int port;

	@Autowired
	private WebTestClient http;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private PublishedEvents published;

	private String user;

	private McpSyncClient client;

	@BeforeEach
	void connect() {
		this.user = "chat-user-" + UUID.randomUUID();
		this.client = client(Tokens.forUser(this.user));
		this.client.initialize();
		this.published.clear();
	}

	@AfterEach
	void disconnect() {
		this.client.close();
	}

	@Test
	void theServerListsItsSevenToolsWithSchemasAndHints() {
		List<Tool> tools = this.client.listTools().tools();
		Map<String, Tool> byName = tools.stream().collect(Collectors.toMap(Tool::name, (tool) -> tool));
		assertThat(byName.keySet()).containsExactlyInAnyOrder("add_task", "list_tasks", "update_task", "complete_task",
				"uncomplete_task", "delete_task", "clear_completed");
		assertThat(byName.values()).allSatisfy((tool) -> {
			assertThat(tool.inputSchema()).containsEntry("type", "object").containsEntry("additionalProperties", false);
			assertThat(tool.description()).isNotBlank();
			assertThat(properties(tool)).doesNotContainKey("user_id");
		});
		assertThat(byName.get("add_task").inputSchema()).containsEntry("required", List.of("title"));
		assertThat(properties(byName.get("add_task"))).containsOnlyKeys("title", "description", "due_date");
		assertThat(byName.get("update_task").inputSchema()).containsEntry("required", List.of("task_id"));
		assertThat(byName.get("list_tasks").annotations().readOnlyHint()).isTrue();
		assertThat(byName.get("delete_task").annotations().destructiveHint()).isTrue();
		assertThat(byName.get("clear_completed").annotations().destructiveHint()).isTrue();
		assertThat(byName.get("add_task").annotations().destructiveHint()).isFalse();
		assertThat(byName.get("complete_task").annotations().idempotentHint()).isTrue();
	}

	@Test
	void everyToolDeclaresItsOutputAndUsesSchemasStrictClientsAccept() {
		Map<String, Tool> byName = this.client.listTools()
			.tools()
			.stream()
			.collect(Collectors.toMap(Tool::name, (tool) -> tool));
		assertThat(byName.values()).allSatisfy((tool) -> {
			assertThat(tool.outputSchema()).as(tool.name()).containsEntry("type", "object");
			// Ajv's strict mode (the MCP Inspector's --strict) warns on "type": [...,
			// "null"]
			assertThat(typeArrays(tool.inputSchema())).as(tool.name() + " input").isEmpty();
			assertThat(typeArrays(tool.outputSchema())).as(tool.name() + " output").isEmpty();
		});
		// the REST API's limits, from the same constants
		assertThat(properties(byName.get("add_task")).get("title").toString())
			.contains("maxLength=" + Task.TITLE_MAX_LENGTH);
		assertThat(properties(byName.get("update_task")).get("description").toString())
			.contains("maxLength=" + Task.DESCRIPTION_MAX_LENGTH);
	}

	/** The schema's {@code type} keywords whose value is an array, anywhere in it. */
	private static List<Object> typeArrays(Object schema) {
		List<Object> found = new ArrayList<>();
		if (schema instanceof Map<?, ?> map) {
			map.forEach((key, value) -> {
				if ("type".equals(key) && value instanceof List<?>) {
					found.add(value);
				}
				found.addAll(typeArrays(value));
			});
		}
		else if (schema instanceof List<?> list) {
			list.forEach((item) -> found.addAll(typeArrays(item)));
		}
		return found;
	}

	@Test
	void everyToolActsForTheCallerAndAnswersWithDataAndText() {
		CallToolResult added = call("add_task",
				Map.of("title", "Buy milk", "description", "2 litres", "due_date", "2026-12-01T10:00:00+01:00"));
		Map<String, Object> task = structured(added);
		String id = (String) task.get("id");
		assertThat(task).containsEntry("title", "Buy milk")
			.containsEntry("user_id", this.user)
			.containsEntry("due_date", "2026-12-01T09:00:00Z");
		assertThat(text(added)).contains("Buy milk");
		assertThat(new TaskRows(this.db).of(this.user)).singleElement()
			.satisfies((row) -> assertThat(row).containsEntry("title", "Buy milk"));

		Map<String, Object> updateArguments = new HashMap<>();
		updateArguments.put("task_id", id);
		updateArguments.put("title", "Buy oat milk");
		updateArguments.put("due_date", null);
		assertThat(structured(call("update_task", updateArguments))).containsEntry("title", "Buy oat milk")
			.containsEntry("description", "2 litres")
			.containsEntry("due_date", null);

		assertThat(structured(call("complete_task", Map.of("task_id", id)))).containsEntry("completed", true);
		assertThat(text(call("complete_task", Map.of("task_id", id)))).contains("already");
		assertThat(structured(call("uncomplete_task", Map.of("task_id", id)))).containsEntry("completed", false);

		Map<String, Object> listed = structured(call("list_tasks", Map.of("status", "pending")));
		assertThat(listed).containsEntry("count", 1).containsEntry("has_more", false);
		assertThat(structured(call("list_tasks", Map.of("status", "completed")))).containsEntry("count", 0);
		assertThat(structured(call("list_tasks", Map.of()))).containsEntry("count", 1);

		assertThat(structured(call("delete_task", Map.of("task_id", id)))).containsEntry("count", 1);
		assertThat(new TaskRows(this.db).of(this.user)).isEmpty();
	}

	@Test
	void clearCompletedDeletesOnlyCompletedTasksAndPublishesEachDeletion() {
		String done = (String) structured(call("add_task", Map.of("title", "done"))).get("id");
		String doneWithDate = (String) structured(
				call("add_task", Map.of("title", "done too", "due_date", "2026-12-01T08:00:00Z")))
			.get("id");
		String open = (String) structured(call("add_task", Map.of("title", "still open"))).get("id");
		call("complete_task", Map.of("task_id", done));
		call("complete_task", Map.of("task_id", doneWithDate));
		this.published.clear();

		Map<String, Object> cleared = structured(call("clear_completed", Map.of()));
		assertThat(cleared).containsEntry("count", 2);
		assertThat(cleared.get("deleted")).asInstanceOf(InstanceOfAssertFactories.LIST)
			.containsExactlyInAnyOrder(done, doneWithDate);
		assertThat(new TaskRows(this.db).of(this.user)).extracting((row) -> row.get("id").toString())
			.containsExactly(open);
		assertThat(this.published.forTask(done)).extracting(Published::type)
			.containsExactly("task.deleted", "sync.task");
		assertThat(this.published.forTask(doneWithDate)).extracting(Published::type)
			.containsExactly("task.deleted", "sync.task", "reminder.cancelled");
		assertThat(this.published.all())
			.allSatisfy((event) -> assertThat(event.cloudEvent().getExtension("traceid")).isEqualTo(CORRELATION_ID));
		assertThat(structured(call("clear_completed", Map.of()))).containsEntry("count", 0)
			.containsEntry("remaining", 0);
	}

	@Test
	void clearCompletedAnswersPromptlyForThousandsOfTasksAndSaysHowManyRemain() {
		int many = TaskService.CLEAR_COMPLETED_LIMIT + 3;
		this.db
			.sql("""
					INSERT INTO tasks (id, user_id, title, completed, version, created_at, updated_at)
					SELECT gen_random_uuid(), :user, 'done ' || n, true, 2, now(), now() FROM generate_series(1, :many) AS n""")
			.bind("user", this.user)
			.bind("many", many)
			.then()
			.block();

		Map<String, Object> first = structured(call("clear_completed", Map.of()));
		assertThat(first).containsEntry("count", TaskService.CLEAR_COMPLETED_LIMIT).containsEntry("remaining", 3);
		assertThat(text(call("clear_completed", Map.of()))).isEqualTo("Deleted 3 completed task(s).");
		assertThat(new TaskRows(this.db).of(this.user)).isEmpty();
		assertThat(this.published.all()).hasSize(2 * many);
	}

	@Test
	void toolsPublishExactlyTheEventsOfTheMatchingRestRequests() {
		// through MCP
		String viaMcp = (String) structured(
				call("add_task", Map.of("title", "Same", "due_date", "2026-12-01T08:00:00Z")))
			.get("id");
		Map<String, Object> edit = new HashMap<>(Map.of("task_id", viaMcp, "title", "Same again"));
		edit.put("due_date", null);
		call("update_task", edit);
		call("complete_task", Map.of("task_id", viaMcp));
		call("uncomplete_task", Map.of("task_id", viaMcp));
		call("delete_task", Map.of("task_id", viaMcp));
		List<JsonNode> mcpEvents = comparable(this.published.forTask(viaMcp));

		// the same through REST
		UserSession rest = new UserSession(this.http);
		String viaRest = rest.createTask(Map.of("title", "Same", "due_date", "2026-12-01T08:00:00Z"));
		rest.patch()
			.uri("/api/tasks/{id}", viaRest)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"title\":\"Same again\",\"due_date\":null}")
			.exchange()
			.expectStatus()
			.isOk();
		rest.post().uri("/api/tasks/{id}/complete", viaRest).exchange().expectStatus().isOk();
		rest.post().uri("/api/tasks/{id}/uncomplete", viaRest).exchange().expectStatus().isOk();
		rest.delete().uri("/api/tasks/{id}", viaRest).exchange().expectStatus().isNoContent();
		List<JsonNode> restEvents = comparable(this.published.forTask(viaRest));

		assertThat(mcpEvents).hasSize(12).isEqualTo(restEvents);
		assertThat(this.published.forTask(viaMcp)).allSatisfy((event) -> {
			assertThat(event.cloudEvent().getExtension("traceid")).isEqualTo(CORRELATION_ID);
			assertThat(event.json().get("data").get("user_id").stringValue()).isEqualTo(this.user);
		});
	}

	@Test
	void badInputComesBackAsAToolErrorAndChangesNothing() {
		String id = (String) structured(call("add_task", Map.of("title", "Mine"))).get("id");
		List<Map<String, Object>> rowsBefore = new TaskRows(this.db).of(this.user);
		this.published.clear();

		// what the tools themselves check
		assertToolError(call("complete_task", Map.of("task_id", "7d0f3c1e-1111-4222-8333-444455556666")),
				"Task 7d0f3c1e-1111-4222-8333-444455556666 not found");
		assertToolError(call("add_task", Map.of("title", "   ")), "Invalid input: title must not be blank");
		assertToolError(call("update_task", Map.of("task_id", id, "title", "  ")),
				"Invalid input: title must not be blank");
		assertToolError(call("add_task", Map.of("title", "x", "due_date", "2026-12-01T10:00:00")), "due_date");
		// what the SDK checks against each tool's JSON Schema before the tool runs: still
		// an
		// error result naming the argument
		assertToolError(call("add_task", Map.of("title", 42)), "title", "string");
		assertToolError(call("add_task", Map.of("title", "x", "due_date", "next tuesday")), "due_date");
		assertToolError(call("update_task", Map.of("task_id", "not-a-uuid", "title", "x")), "task_id");
		assertToolError(call("delete_task", Map.of()), "task_id");
		assertToolError(call("add_task", Map.of("title", "x", "user_id", "someone-else")), "user_id");
		assertToolError(call("list_tasks", Map.of("status", "overdue")), "status");
		assertToolError(call("update_task", Map.of("task_id", id, "title", "x".repeat(300))), "title", "255");

		// another user's task is as unknown as a missing one
		try (McpSyncClient other = client(Tokens.forUser("someone-else-" + UUID.randomUUID()))) {
			other.initialize();
			assertToolError(other.callTool(new McpSchema.CallToolRequest("delete_task", Map.of("task_id", id))),
					"Task " + id + " not found");
			assertToolError(
					other.callTool(
							new McpSchema.CallToolRequest("update_task", Map.of("task_id", id, "title", "stolen"))),
					"Task " + id + " not found");
		}

		assertThat(new TaskRows(this.db).of(this.user)).isEqualTo(rowsBefore);
		assertThat(this.published.all()).isEmpty();
	}

	@Test
	void theServerRefusesCallersWithoutAValidToken() {
		try (McpSyncClient anonymous = client(null)) {
			assertThatException().isThrownBy(anonymous::initialize);
		}
		try (McpSyncClient expired = client(Tokens.expired(this.user))) {
			assertThatException().isThrownBy(expired::initialize);
		}
		this.http.post()
			.uri("/mcp")
			.contentType(MediaType.APPLICATION_JSON)
			.header(HttpHeaders.ACCEPT, "application/json, text/event-stream")
			.bodyValue("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}")
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

	private McpSyncClient client(String token) {
		WebClient.Builder web = WebClient.builder()
			.clientConnector(OneRequestPerConnection.connector())
			.baseUrl("http://localhost:" + this.port)
			.defaultHeader("X-Correlation-ID", CORRELATION_ID);
		if (token != null) {
			web.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token);
		}
		return McpClient.sync(WebClientStreamableHttpTransport.builder(web).endpoint("/mcp").build())
			.requestTimeout(Duration.ofSeconds(60))
			.build();
	}

	private CallToolResult call(String tool, Map<String, Object> arguments) {
		CallToolResult result = this.client.callTool(new McpSchema.CallToolRequest(tool, arguments));
		return result;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> structured(CallToolResult result) {
		assertThat(result.isError()).as(text(result)).isFalse();
		return (Map<String, Object>) result.structuredContent();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> properties(Tool tool) {
		return (Map<String, Object>) tool.inputSchema().get("properties");
	}

	private static String text(CallToolResult result) {
		return ((TextContent) result.content().get(0)).text();
	}

	private static void assertToolError(CallToolResult result, String... saying) {
		assertThat(result.isError()).as(text(result)).isTrue();
		assertThat(text(result)).contains(saying);
	}

	/**
	 * An event without what differs between two users' otherwise equal tasks, after
	 * checking that it names a span of its call's trace.
	 */
	private static List<JsonNode> comparable(List<Published> events) {
		return events.stream().map((event) -> {
			ObjectNode json = (ObjectNode) event.json().deepCopy();
			assertThat(json.remove("traceparent").stringValue()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
			for (String varying : Set.of("id", "time", "subject", "partitionkey", "traceid", "correlationid")) {
				json.remove(varying);
			}
			ObjectNode data = (ObjectNode) json.get("data");
			for (String varying : Set.of("task_id", "user_id", "timestamp")) {
				data.remove(varying);
			}
			return (JsonNode) json.put("binding", event.binding());
		}).toList();
	}

}
