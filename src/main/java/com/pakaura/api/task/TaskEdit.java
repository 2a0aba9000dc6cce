package com.pakaura.api.task;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

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
	 * Validates raw input. For each argument {@code null} means the field was left out
	 * and an empty optional means it was given as JSON {@code null}.
	 * @throws TaskValidationException naming every offending field
	 */
	@SuppressWarnings("OptionalUsedAsFieldOrParameterType")
	public static TaskEdit of(@Nullable Optional<String> title, @Nullable Optional<String> description,
			@Nullable Optional<String> dueDate) {
		TaskRules rules = new TaskRules();
		NewValue<String> newTitle = null;
		if (title != null) {
			if (title.isEmpty()) {
				rules.rejectNull("title");
			}
			else {
				newTitle = new NewValue<>(rules.title(title.get()));
			}
		}
		NewValue<String> newDescription = (description != null)
				? new NewValue<>(rules.description(description.orElse(null))) : null;
		NewValue<Instant> newDueDate = (dueDate != null) ? new NewValue<>(rules.dueDate(dueDate.orElse(null))) : null;
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
