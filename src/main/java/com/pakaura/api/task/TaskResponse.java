package com.pakaura.api.task;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * A task as the API (REST and MCP) shows it. Timestamps are RFC 3339 in UTC. Names are
 * given with {@code @JsonProperty}, which Jackson 3 and the OpenAPI generator (on Jackson
 * 2) both read; a Jackson 3 {@code @JsonNaming} would be lost on the latter.
 */
@Schema(name = "Task", requiredProperties = { "id", "user_id", "title", "description", "completed", "due_date",
		"created_at", "updated_at" })
public record TaskResponse(UUID id, @JsonProperty("user_id") String userId, String title, @Schema(types = {
		"string", "null" }) @Nullable String description, boolean completed,
		@JsonProperty("due_date") @Schema(types = { "string", "null" }, format = "date-time") @Nullable Instant dueDate,
		@JsonProperty("created_at") Instant createdAt, @JsonProperty("updated_at") Instant updatedAt){

	public static TaskResponse of(Task task) {
		return new TaskResponse(task.id(), task.userId(), task.title(), task.description(), task.completed(),
				task.dueDate(), task.createdAt(), task.updatedAt());
	}

}
