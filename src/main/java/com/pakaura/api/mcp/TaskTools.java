package com.pakaura.api.mcp;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpStatelessServerFeatures.AsyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.modelcontextprotocol.spec.McpSchema.ToolAnnotations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import org.springframework.stereotype.Component;

import com.pakaura.api.correlation.CorrelationId;
import com.pakaura.api.correlation.RequestLogging;
import com.pakaura.api.mcp.ToolArguments.ToolInputException;
import com.pakaura.api.task.NewTask;
import com.pakaura.api.task.Task;
import com.pakaura.api.task.TaskChange;
import com.pakaura.api.task.TaskEdit;
import com.pakaura.api.task.TaskNotFoundException;
import com.pakaura.api.task.TaskPage;
import com.pakaura.api.task.TaskResponse;
import com.pakaura.api.task.TaskService;
import com.pakaura.api.task.TaskValidationException;

/**
 * The chatbot's task tools. Each acts for the caller of the MCP request (never for a user
 * named in its arguments), goes through the same {@link TaskService} as REST and so
 * publishes the same events, and answers bad input with an error result
 * ({@code isError: true}) that says what is wrong.
 */
@Component
class TaskTools {

	/** Keys of the MCP transport context, filled from the HTTP request. */
	static final String CALLER = "user_id";

	static final String CORRELATION_ID = CorrelationId.CONTEXT_KEY;

	/** list_tasks returns at most this many, newest first. */
	static final int LIST_LIMIT = TaskPage.MAX_LIMIT;

	private static final Logger log = LoggerFactory.getLogger(TaskTools.class);

	private static final String TASK_ID_SCHEMA = """
			"task_id": {"type": "string", "format": "uuid", "description": "The task's id"}""";

	/**
	 * Nullable values are {@code anyOf} a type and {@code null}, not a type array, which
	 * strict JSON Schema compilers (Ajv's strict mode, as in the MCP Inspector) warn
	 * about.
	 */
	private static final String DUE_DATE_SCHEMA = """
			"due_date": {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}],
			  "description": "RFC 3339 timestamp with an offset, e.g. 2026-12-01T09:00:00Z; null clears it"}""";

	/** A task as the tools return it: {@link TaskResponse}, as the REST API shows it. */
	private static final String TASK_SCHEMA = """
			{"type": "object", "properties": {
			  "id": {"type": "string", "format": "uuid"},
			  "user_id": {"type": "string"},
			  "title": {"type": "string"},
			  "description": {"anyOf": [{"type": "string"}, {"type": "null"}]},
			  "completed": {"type": "boolean"},
			  "due_date": {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]},
			  "created_at": {"type": "string", "format": "date-time"},
			  "updated_at": {"type": "string", "format": "date-time"}},
			 "required": ["id", "user_id", "title", "description", "completed", "due_date", "created_at", "updated_at"],
			 "additionalProperties": false}""";

	private static final String LIST_SCHEMA = """
			{"type": "object", "properties": {
			  "tasks": {"type": "array", "items": %s},
			  "count": {"type": "integer", "minimum": 0},
			  "has_more": {"type": "boolean", "description": "More tasks than the list holds exist"}},
			 "required": ["tasks", "count", "has_more"], "additionalProperties": false}""".formatted(TASK_SCHEMA);

	private static final String DELETED_SCHEMA = """
			{"type": "object", "properties": {
			  "deleted": {"type": "array", "items": {"type": "string", "format": "uuid"}},
			  "count": {"type": "integer", "minimum": 0}},
			 "required": ["deleted", "count"], "additionalProperties": false}""";

	private static final String CLEARED_SCHEMA = """
			{"type": "object", "properties": {
			  "deleted": {"type": "array", "items": {"type": "string", "format": "uuid"}},
			  "count": {"type": "integer", "minimum": 0},
			  "remaining": {"type": "integer", "minimum": 0, "description": "Completed tasks left for another call"}},
			 "required": ["deleted", "count", "remaining"], "additionalProperties": false}""";

	private final TaskService tasks;

	TaskTools(TaskService tasks) {
		this.tasks = tasks;
	}

	List<AsyncToolSpecification> specifications(McpJsonMapper json) {
		return List.of(
				tool(json, "add_task", "Add task", "Create a task for the user.",
						"""
								{"type": "object", "properties": {
								  "title": {"type": "string", "minLength": 1, "maxLength": %d, "description": "What to do"},
								  "description": {"type": "string", "maxLength": %d, "description": "Details"},
								  %s},
								 "required": ["title"], "additionalProperties": false}"""
							.formatted(Task.TITLE_MAX_LENGTH, Task.DESCRIPTION_MAX_LENGTH, DUE_DATE_SCHEMA),
						TASK_SCHEMA, new ToolAnnotations("Add task", false, false, false, false, null), this::addTask),
				tool(json, "list_tasks", "List tasks",
						"List the user's tasks, newest first (at most " + LIST_LIMIT + ").",
						"""
								{"type": "object", "properties": {
								  "status": {"type": "string", "enum": ["all", "pending", "completed"], "default": "all"}},
								 "additionalProperties": false}""",
						LIST_SCHEMA, new ToolAnnotations("List tasks", true, false, true, false, null),
						this::listTasks),
				tool(json, "update_task", "Update task",
						"Change a task's title, description or due date. Fields left out are kept; null clears description or due date.",
						"""
								{"type": "object", "properties": {
								  %s,
								  "title": {"type": "string", "minLength": 1, "maxLength": %d},
								  "description": {"anyOf": [{"type": "string", "maxLength": %d}, {"type": "null"}]},
								  %s},
								 "required": ["task_id"], "additionalProperties": false}""".formatted(TASK_ID_SCHEMA,
								Task.TITLE_MAX_LENGTH, Task.DESCRIPTION_MAX_LENGTH, DUE_DATE_SCHEMA),
						TASK_SCHEMA, new ToolAnnotations("Update task", false, true, true, false, null),
						this::updateTask),
				tool(json, "complete_task", "Complete task", "Mark a task as done.", taskIdOnly(), TASK_SCHEMA,
						new ToolAnnotations("Complete task", false, false, true, false, null),
						(caller, arguments) -> transition(caller, arguments, true)),
				tool(json, "uncomplete_task", "Reopen task", "Mark a done task as not done.", taskIdOnly(), TASK_SCHEMA,
						new ToolAnnotations("Reopen task", false, false, true, false, null),
						(caller, arguments) -> transition(caller, arguments, false)),
				tool(json, "delete_task", "Delete task", "Delete a task for good.", taskIdOnly(), DELETED_SCHEMA,
						new ToolAnnotations("Delete task", false, true, true, false, null), this::deleteTask),
				tool(json, "clear_completed", "Clear completed tasks",
						"Delete the user's completed tasks for good, at most " + TaskService.CLEAR_COMPLETED_LIMIT
								+ " per call; the result says how many remain.",
						"""
								{"type": "object", "properties": {}, "additionalProperties": false}""", CLEARED_SCHEMA,
						new ToolAnnotations("Clear completed tasks", false, true, true, false, null),
						this::clearCompleted));
	}

	private Mono<CallToolResult> addTask(String caller, Map<String, Object> raw) {
		ToolArguments arguments = ToolArguments.of(raw, Set.of("title", "description", "due_date"));
		NewTask task = NewTask.of(arguments.text("title"), arguments.text("description"), arguments.text("due_date"));
		return this.tasks.create(caller, task)
			.map((change) -> taskResult("Added task \"" + change.task().title() + "\" (" + change.task().id() + ")",
					change));
	}

	private Mono<CallToolResult> listTasks(String caller, Map<String, Object> raw) {
		ToolArguments arguments = ToolArguments.of(raw, Set.of("status"));
		String status = Optional.ofNullable(arguments.text("status")).orElse("all");
		Boolean completed = switch (status) {
			case "all" -> null;
			case "pending" -> false;
			case "completed" -> true;
			default -> throw new ToolInputException("status must be all, pending or completed");
		};
		return this.tasks.list(caller, completed, null, LIST_LIMIT).map((page) -> {
			List<TaskResponse> found = page.tasks().stream().map(TaskResponse::of).toList();
			String text = found.isEmpty() ? "No " + (status.equals("all") ? "" : status + " ") + "tasks."
					: found.size() + " " + (status.equals("all") ? "" : status + " ") + "task(s): " + String.join("; ",
							found.stream().map((task) -> (task.completed() ? "[done] " : "") + task.title()).toList());
			return result(text, Map.of("tasks", found, "count", found.size(), "has_more", page.next() != null));
		});
	}

	private Mono<CallToolResult> updateTask(String caller, Map<String, Object> raw) {
		ToolArguments arguments = ToolArguments.of(raw, Set.of("task_id", "title", "description", "due_date"));
		TaskEdit edit = TaskEdit.of(arguments.optionalText("title"), arguments.optionalText("description"),
				arguments.optionalText("due_date"));
		return this.tasks.edit(caller, arguments.taskId(), edit)
			.map((change) -> taskResult((change.changedAnything() ? "Updated" : "Nothing to change in") + " task \""
					+ change.task().title() + "\"", change));
	}

	private Mono<CallToolResult> transition(String caller, Map<String, Object> raw, boolean complete) {
		ToolArguments arguments = ToolArguments.of(raw, Set.of("task_id"));
		Mono<TaskChange> change = complete ? this.tasks.complete(caller, arguments.taskId())
				: this.tasks.uncomplete(caller, arguments.taskId());
		return change.map((done) -> taskResult("Task \"" + done.task().title() + "\" is "
				+ (done.task().completed() ? "done" : "not done") + (done.changedAnything() ? "" : " (it already was)"),
				done));
	}

	private Mono<CallToolResult> deleteTask(String caller, Map<String, Object> raw) {
		ToolArguments arguments = ToolArguments.of(raw, Set.of("task_id"));
		return this.tasks.delete(caller, arguments.taskId())
			.map((change) -> result("Deleted task \"" + change.task().title() + "\"",
					Map.of("deleted", List.of(change.task().id()), "count", 1)));
	}

	private Mono<CallToolResult> clearCompleted(String caller, Map<String, Object> raw) {
		ToolArguments.of(raw, Set.of());
		return this.tasks.clearCompleted(caller).map((cleared) -> {
			List<TaskChange> changes = cleared.deleted();
			String text = (changes.isEmpty() ? "No completed tasks to clear."
					: "Deleted " + changes.size() + " completed task(s).")
					+ ((cleared.remaining() > 0)
							? " " + cleared.remaining() + " more remain: call clear_completed again to delete them."
							: "");
			return result(text, Map.of("deleted", changes.stream().map((change) -> change.task().id()).toList(),
					"count", changes.size(), "remaining", cleared.remaining()));
		});
	}

	/**
	 * A tool whose handler runs as the caller, within the request's correlation id and
	 * trace, and whose failures of input become error results.
	 */
	private static AsyncToolSpecification tool(McpJsonMapper json, String name, String title, String description,
			String inputSchema, String outputSchema, ToolAnnotations annotations, Handler handler) {
		Tool tool = Tool.builder()
			.name(name)
			.title(title)
			.description(description)
			.inputSchema(json, inputSchema)
			.outputSchema(json, outputSchema)
			.annotations(annotations)
			.build();
		return AsyncToolSpecification.builder().tool(tool).callHandler((transport, request) -> {
			Object caller = transport.get(CALLER);
			if (!(caller instanceof String userId)) {
				return Mono.just(error("Not authenticated"));
			}
			return Mono.defer(() -> handler.call(userId, request.arguments()))
				.onErrorResume(TaskValidationException.class,
						(ex) -> Mono.just(error("Invalid input: " + ex.getMessage())))
				.onErrorResume(TaskNotFoundException.class, (ex) -> Mono.just(error(ex.getMessage())))
				.onErrorResume(ToolInputException.class, (ex) -> Mono.just(error(ex.getMessage())))
				.onErrorResume(unexpected(name))
				.contextWrite(requestContext(transport));
		}).build();
	}

	private static Function<Throwable, Mono<CallToolResult>> unexpected(String tool) {
		return (ex) -> RequestLogging
			.log(() -> log.atError().addKeyValue("tool", tool).setCause(ex).log("MCP tool failed unexpectedly"))
			.then(Mono.just(error("The tool failed unexpectedly. Quote the correlation id when reporting it.")));
	}

	/**
	 * The HTTP request's correlation id, for the logs and events of this call. (Its trace
	 * needs no copying: the server observation reaches the tool in the Reactor context.)
	 */
	private static Function<Context, Context> requestContext(McpTransportContext transport) {
		return (context) -> {
			Context result = context;
			if (transport.get(CORRELATION_ID) instanceof CorrelationId correlationId) {
				result = result.put(CorrelationId.CONTEXT_KEY, correlationId.value());
			}
			return result;
		};
	}

	private static CallToolResult taskResult(String text, TaskChange change) {
		return result(text, TaskResponse.of(change.task()));
	}

	private static CallToolResult result(String text, Object structured) {
		return CallToolResult.builder().addTextContent(text).structuredContent(structured).isError(false).build();
	}

	private static CallToolResult error(String message) {
		return CallToolResult.builder().addTextContent(message).isError(true).build();
	}

	private static String taskIdOnly() {
		return """
				{"type": "object", "properties": {%s}, "required": ["task_id"], "additionalProperties": false}"""
			.formatted(TASK_ID_SCHEMA);
	}

	@FunctionalInterface
	private interface Handler {

		Mono<CallToolResult> call(String caller, Map<String, Object> arguments);

	}

}
