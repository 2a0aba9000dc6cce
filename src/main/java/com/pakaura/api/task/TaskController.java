package com.pakaura.api.task;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The REST routes of {@code /api/tasks}. The caller is the token's subject; every route
 * acts on that user's tasks only.
 */
@RestController
@RequestMapping("/api/tasks")
@Tag(name = "tasks", description = "The caller's tasks")
class TaskController {

	static final String MERGE_PATCH_JSON = "application/merge-patch+json";

	/** The PATCH body's schema, built from the create body's by the OpenAPI setup. */
	static final String PATCH_SCHEMA = "#/components/schemas/TaskPatch";

	private final TaskService service;

	TaskController(TaskService service) {
		this.service = service;
	}

	/**
	 * The caller's tasks, newest first. When more follow, a
	 * {@code Link: <...>; rel="next"} header (RFC 8288) gives the next page's URL.
	 */
	@GetMapping
	@Operation(operationId = "listTasks", summary = "List the caller's tasks, newest first")
	@ApiResponse(responseCode = "200", description = "One page of tasks",
			headers = @Header(name = HttpHeaders.LINK, schema = @Schema(type = "string"),
					description = "`<url>; rel=\"next\"` (RFC 8288) when more tasks follow: the next page's URL"))
	Mono<ResponseEntity<List<TaskResponse>>> list(@Parameter(hidden = true) @AuthenticationPrincipal Jwt caller,
			@Parameter(description = "Only completed (true) or open (false) tasks") @RequestParam(
					required = false) @Nullable Boolean completed,
			@Parameter(description = "Tasks per page",
					schema = @Schema(type = "integer", format = "int32", minimum = "1",
							maximum = "" + TaskPage.MAX_LIMIT,
							defaultValue = "" + TaskPage.DEFAULT_LIMIT)) @RequestParam(
									required = false) @Nullable Integer limit,
			@Parameter(description = "Where the page starts: taken from the previous page's Link header") @RequestParam(
					required = false) @Nullable String cursor) {
		// no defaultValue on the parameter: Spring would take an empty "limit=" for it,
		// where every other malformed value is a 400
		int size = (limit != null) ? limit : TaskPage.DEFAULT_LIMIT;
		TaskPage.Cursor after = (cursor != null) ? TaskPage.Cursor.decode(cursor) : null;
		return this.service.list(caller.getSubject(), completed, after, size).map((page) -> {
			ResponseEntity.BodyBuilder response = ResponseEntity.ok();
			if (page.next() != null) {
				response.header(HttpHeaders.LINK, "<" + nextPage(completed, size, page.next()) + ">; rel=\"next\"");
			}
			return response.body(page.tasks().stream().map(TaskResponse::of).toList());
		});
	}

	@PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
	@Operation(operationId = "createTask", summary = "Create a task")
	@ApiResponse(responseCode = "201", description = "Created", headers = @Header(name = HttpHeaders.LOCATION,
			schema = @Schema(type = "string"), description = "The new task's URL"))
	Mono<ResponseEntity<TaskResponse>> create(@Parameter(hidden = true) @AuthenticationPrincipal Jwt caller,
			@RequestBody TaskRequests.CreateTask body) {
		return Mono.fromCallable(body::toNewTask)
			.flatMap((task) -> this.service.create(caller.getSubject(), task))
			.map((change) -> ResponseEntity.created(URI.create("/api/tasks/" + change.task().id()))
				.body(TaskResponse.of(change.task())));
	}

	@GetMapping("/{id}")
	@Operation(operationId = "getTask", summary = "Read one task")
	Mono<TaskResponse> get(@Parameter(hidden = true) @AuthenticationPrincipal Jwt caller, @PathVariable UUID id) {
		return this.service.get(caller.getSubject(), id).map(TaskResponse::of);
	}

	@PatchMapping(path = "/{id}", consumes = { MediaType.APPLICATION_JSON_VALUE, MERGE_PATCH_JSON })
	@Operation(operationId = "editTask", summary = "Edit a task (JSON merge patch, RFC 7396)",
			description = "A field left out is kept; `description` or `due_date` set to null is cleared.")
	Mono<TaskResponse> edit(@Parameter(hidden = true) @AuthenticationPrincipal Jwt caller, @PathVariable UUID id,
			@io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
					content = {
							@Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
									schema = @Schema(ref = PATCH_SCHEMA)),
							@Content(mediaType = MERGE_PATCH_JSON,
									schema = @Schema(ref = PATCH_SCHEMA)) }) @RequestBody ObjectNode body) {
		return Mono.fromCallable(() -> new TaskRequests.PatchTask(body).toEdit())
			.flatMap((edit) -> this.service.edit(caller.getSubject(), id, edit))
			.map((change) -> TaskResponse.of(change.task()));
	}

	@PostMapping("/{id}/complete")
	@Operation(operationId = "completeTask", summary = "Mark a task completed")
	Mono<TaskResponse> complete(@Parameter(hidden = true) @AuthenticationPrincipal Jwt caller, @PathVariable UUID id) {
		return this.service.complete(caller.getSubject(), id).map((change) -> TaskResponse.of(change.task()));
	}

	@PostMapping("/{id}/uncomplete")
	@Operation(operationId = "uncompleteTask", summary = "Mark a task open again")
	Mono<TaskResponse> uncomplete(@Parameter(hidden = true) @AuthenticationPrincipal Jwt caller,
			@PathVariable UUID id) {
		return this.service.uncomplete(caller.getSubject(), id).map((change) -> TaskResponse.of(change.task()));
	}

	@DeleteMapping("/{id}")
	@Operation(operationId = "deleteTask", summary = "Delete a task")
	@ApiResponse(responseCode = "204", description = "Deleted")
	Mono<ResponseEntity<Void>> delete(@Parameter(hidden = true) @AuthenticationPrincipal Jwt caller,
			@PathVariable UUID id) {
		return this.service.delete(caller.getSubject(), id).thenReturn(ResponseEntity.noContent().build());
	}

	private static String nextPage(@Nullable Boolean completed, int limit, TaskPage.Cursor next) {
		UriComponentsBuilder uri = UriComponentsBuilder.fromPath("/api/tasks");
		if (completed != null) {
			uri.queryParam("completed", completed);
		}
		return uri.queryParam("limit", limit).queryParam("cursor", next.encode()).build().toUriString();
	}

}
