package com.pakaura.api.task;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** A task as the API (REST and MCP) shows it. Timestamps are RFC 3339 in UTC. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TaskResponse(UUID id, String userId, String title, @Nullable String description, boolean completed,
		@Nullable Instant dueDate, Instant createdAt, Instant updatedAt) {

	public static TaskResponse of(Task task) {
		return new TaskResponse(task.id(), task.userId(), task.title(), task.description(), task.completed(),
				task.dueDate(), task.createdAt(), task.updatedAt());
	}

}
