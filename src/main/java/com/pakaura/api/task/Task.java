package com.pakaura.api.task;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A task as stored.
 *
 * @param version starts at 1 and grows by one with every change of the row
 */
public record Task(UUID id, String userId, String title, @Nullable String description, boolean completed,
		@Nullable Instant dueDate, long version, Instant createdAt, Instant updatedAt) {

	/**
	 * The longest title, in characters (REST and MCP validate, and the column holds, the
	 * same).
	 */
	public static final int TITLE_MAX_LENGTH = 255;

	/** The longest description, in characters. */
	public static final int DESCRIPTION_MAX_LENGTH = 4000;

}
