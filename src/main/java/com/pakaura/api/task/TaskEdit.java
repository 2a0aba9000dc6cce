package com.pakaura.api.task;

import java.time.Instant;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A valid partial update: each field is either left out (keep the stored value) or given
 * a new value, which for description and due date may be {@code null} to clear it.
 */
public record TaskEdit(@Nullable NewValue<String> title, @Nullable NewValue<String> description,
		@Nullable NewValue<Instant> dueDate) {

	/** A field that is part of the edit, with its new (possibly null) value. */
	public record NewValue<T>(@Nullable T value) {

	}

	/**
	 * Validates raw input. For each argument {@code null} means the field was left out,
	 * and a {@link NewValue} holds the raw text the caller gave, {@code null} for JSON
	 * {@code null}.
	 * @throws TaskValidationException naming every offending field
	 */
	public static TaskEdit of(@Nullable NewValue<String> title, @Nullable NewValue<String> description,
			@Nullable NewValue<String> dueDate) {
		TaskValidation rules = new TaskValidation();
		NewValue<String> newTitle = null;
		if (title != null) {
			String raw = title.value();
			if (raw == null) {
				rules.rejectNull("title");
			}
			else {
				newTitle = new NewValue<>(rules.title(raw));
			}
		}
		NewValue<String> newDescription = (description != null) ? new NewValue<>(rules.description(description.value()))
				: null;
		NewValue<Instant> newDueDate = (dueDate != null) ? new NewValue<>(rules.dueDate(dueDate.value())) : null;
		rules.throwIfAnyRejected();
		return new TaskEdit(newTitle, newDescription, newDueDate);
	}

	/**
	 * The task with this edit applied. Version and timestamps are the database's to set.
	 */
	Task applyTo(Task task) {
		// a title is never set to null: TaskEdit.of refuses it
		return new Task(task.id(), task.userId(),
				(this.title != null) ? Objects.requireNonNull(this.title.value()) : task.title(),
				(this.description != null) ? this.description.value() : task.description(), task.completed(),
				(this.dueDate != null) ? this.dueDate.value() : task.dueDate(), task.version(), task.createdAt(),
				task.updatedAt());
	}

}
