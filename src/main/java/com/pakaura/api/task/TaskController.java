package com.pakaura.api.task;

import java.net.URI;
import java.util.List;
import java.util.UUID;

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
class TaskController {

	private static final String MERGE_PATCH_JSON = "application/merge-patch+json";

	private final TaskService service;

	TaskController(TaskService service) {
		this.service = service;
	}

	/**
	 * The caller's tasks, newest first. When more follow, a
	 * {@code Link: <...>; rel="next"} header (RFC 8288) gives the next page's URL.
	 */
	@GetMapping
	Mono<ResponseEntity<List<TaskResponse>>> list(@AuthenticationPrincipal Jwt caller,
			@RequestParam(required = false) @Nullable Boolean completed,
			@RequestParam(defaultValue = "" + TaskPage.DEFAULT_LIMIT) int limit,
			@RequestParam(required = false) @Nullable String cursor) {
		TaskPage.Cursor after = (cursor != null) ? TaskPage.Cursor.decode(cursor) : null;
		return this.service.list(caller.getSubject(), completed, after, limit).map((page) -> {
			ResponseEntity.BodyBuilder response = ResponseEntity.ok();
			if (page.next() != null) {
				response.header(HttpHeaders.LINK, "<" + nextPage(completed, limit, page.next()) + ">; rel=\"next\"");
			}
			return response.body(page.tasks().stream().map(TaskResponse::of).toList());
		});
	}

	@PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
	Mono<ResponseEntity<TaskResponse>> create(@AuthenticationPrincipal Jwt caller,
			@RequestBody TaskRequests.CreateTask body) {
		return Mono.fromCallable(body::toNewTask)
			.flatMap((task) -> this.service.create(caller.getSubject(), task))
			.map((change) -> ResponseEntity.created(URI.create("/api/tasks/" + change.task().id()))
				.body(TaskResponse.of(change.task())));
	}

	@GetMapping("/{id}")
	Mono<TaskResponse> get(@AuthenticationPrincipal Jwt caller, @PathVariable UUID id) {
		return this.service.get(caller.getSubject(), id).map(TaskResponse::of);
	}

	@PatchMapping(path = "/{id}", consumes = { MediaType.APPLICATION_JSON_VALUE, MERGE_PATCH_JSON })
	Mono<TaskResponse> edit(@AuthenticationPrincipal Jwt caller, @PathVariable UUID id, @RequestBody ObjectNode body) {
		return Mono.fromCallable(() -> new TaskRequests.PatchTask(body).toEdit())
			.flatMap((edit) -> this.service.edit(caller.getSubject(), id, edit))
			.map((change) -> TaskResponse.of(change.task()));
	}

	@PostMapping("/{id}/complete")
	Mono<TaskResponse> complete(@AuthenticationPrincipal Jwt caller, @PathVariable UUID id) {
		return this.service.complete(caller.getSubject(), id).map((change) -> TaskResponse.of(change.task()));
	}

	@PostMapping("/{id}/uncomplete")
	Mono<TaskResponse> uncomplete(@AuthenticationPrincipal Jwt caller, @PathVariable UUID id) {
		return this.service.uncomplete(caller.getSubject(), id).map((change) -> TaskResponse.of(change.task()));
	}

	@DeleteMapping("/{id}")
	Mono<ResponseEntity<Void>> delete(@AuthenticationPrincipal Jwt caller, @PathVariable UUID id) {
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
