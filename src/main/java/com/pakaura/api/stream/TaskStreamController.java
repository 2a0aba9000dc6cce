package com.pakaura.api.stream;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/tasks/stream}: the caller's task changes as Server-Sent Events, each
 * with {@code id} = the CloudEvent id, {@code event} = its type, {@code data} = its data;
 * a comment every {@code heartbeat}. Only the caller's own tasks.
 */
@RestController
class TaskStreamController {

	private final TaskStream stream;

	private final StreamProperties properties;

	TaskStreamController(TaskStream stream, StreamProperties properties) {
		this.stream = stream;
		this.properties = properties;
	}

	@GetMapping(path = "/api/tasks/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	@Tag(name = "tasks")
	@Operation(operationId = "streamTaskChanges", summary = "Follow the caller's task changes as Server-Sent Events",
			description = "Each event: `id` the CloudEvent id, `event` its type (`sync.task`), `data` its data"
					+ " (see the AsyncAPI document); a comment line every heartbeat.")
	@ApiResponse(responseCode = "200", description = "The stream",
			content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, schema = @Schema(type = "string")))
	Flux<ServerSentEvent<String>> stream(@Parameter(hidden = true) @AuthenticationPrincipal Jwt caller,
			@Parameter(description = "The id of the last event received: the stream resumes after it") @RequestHeader(
					name = "Last-Event-ID", required = false) @Nullable String lastEventId) {
		Flux<ServerSentEvent<String>> events = this.stream.open(caller.getSubject(), lastEventId)
			.map((event) -> ServerSentEvent.builder(event.data()).id(event.id()).event(event.type()).build());
		// a client too slow to take a heartbeat misses it, rather than having its stream
		// end with interval's overflow error
		Flux<ServerSentEvent<String>> heartbeats = Flux.interval(this.properties.heartbeat())
			.onBackpressureDrop()
			.map((tick) -> ServerSentEvent.<String>builder().comment("heartbeat").build());
		// a first comment sends the response headers at once, so a client knows it is
		// connected;
		// the heartbeats end with the events: an overflowed stream closes
		return Flux.concat(Flux.just(ServerSentEvent.<String>builder().comment("connected").build()),
				events.publish((shared) -> Flux.merge(shared, heartbeats.takeUntilOther(shared.then()))));
	}

}
