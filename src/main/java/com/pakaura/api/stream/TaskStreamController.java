package com.pakaura.api.stream;

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
	Flux<ServerSentEvent<String>> stream(@AuthenticationPrincipal Jwt caller,
			@RequestHeader(name = "Last-Event-ID", required = false) @Nullable String lastEventId) {
		Flux<ServerSentEvent<String>> events = this.stream.open(caller.getSubject(), lastEventId)
			.map((event) -> ServerSentEvent.builder(event.data()).id(event.id()).event(event.type()).build());
		Flux<ServerSentEvent<String>> heartbeats = Flux.interval(this.properties.heartbeat())
			.map((tick) -> ServerSentEvent.<String>builder().comment("heartbeat").build());
		// a first comment sends the response headers at once, so a client knows it is
		// connected;
		// the heartbeats end with the events: an overflowed stream closes
		return Flux.concat(Flux.just(ServerSentEvent.<String>builder().comment("connected").build()),
				events.publish((shared) -> Flux.merge(shared, heartbeats.takeUntilOther(shared.then()))));
	}

}
