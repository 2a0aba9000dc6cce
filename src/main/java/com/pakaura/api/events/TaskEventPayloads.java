package com.pakaura.api.events;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** The {@code data} of each event, field names as the consumers read them. */
final class TaskEventPayloads {

	private TaskEventPayloads() {
	}

	/**
	 * {@code task.*} on {@code task-events}.
	 *
	 * @param changes for {@code task.updated} only: each changed field (title,
	 * description, due_date) with its old and new value; {@code null} for every other
	 * action
	 */
	@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
	record TaskEventData(UUID taskId, String userId, String action, String title, boolean completed,
			@Nullable Map<String, FieldChange> changes, Instant timestamp) {

	}

	/** One changed field of a {@code task.updated}. */
	record FieldChange(@JsonProperty("old") @Nullable Object oldValue, @JsonProperty("new") @Nullable Object newValue) {

	}

	/** {@code sync.task} on {@code task-updates}. */
	@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
	record SyncEventData(UUID taskId, String userId, String action, Instant timestamp) {

	}

	/**
	 * {@code reminder.*} on {@code reminders}.
	 *
	 * @param dueDate the new due date; for {@code reminder.cancelled} the due date that
	 * no longer holds
	 */
	@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
	record ReminderEventData(UUID taskId, String userId, String action, Instant dueDate, Instant timestamp) {

	}

}
