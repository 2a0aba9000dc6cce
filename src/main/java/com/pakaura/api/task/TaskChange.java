package com.pakaura.api.task;

import java.time.Instant;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * What one mutation did to one task, as committed: the row before and after, and when.
 *
 * @param kind what happened; {@link Kind#UNCHANGED} for a request that asked for what was
 * already true
 * @param before the row before the change; {@code null} for a creation
 * @param after the row after the change; {@code null} for a deletion
 * @param at when the change happened: the new {@code updated_at}, or the deletion time
 */
public record TaskChange(Kind kind, @Nullable Task before, @Nullable Task after, Instant at) {

	public enum Kind {

		CREATED, UPDATED, COMPLETED, UNCOMPLETED, DELETED, UNCHANGED

	}

	public TaskChange {
		Objects.requireNonNull(kind, "kind");
		Objects.requireNonNull(at, "at");
		if (before == null && after == null) {
			throw new IllegalArgumentException("A change needs a task before or after it");
		}
	}

	static TaskChange created(Task task) {
		return new TaskChange(Kind.CREATED, null, task, task.updatedAt());
	}

	static TaskChange updated(Task before, Task after, Kind kind) {
		return new TaskChange(kind, before, after, after.updatedAt());
	}

	static TaskChange unchanged(Task task) {
		return new TaskChange(Kind.UNCHANGED, task, task, task.updatedAt());
	}

	static TaskChange deleted(Task task, Instant at) {
		return new TaskChange(Kind.DELETED, task, null, at);
	}

	/** The task as the caller should see it now: the row after, or the deleted row. */
	public Task task() {
		return (this.after != null) ? this.after : Objects.requireNonNull(this.before);
	}

	public boolean changedAnything() {
		return this.kind != Kind.UNCHANGED;
	}

}
