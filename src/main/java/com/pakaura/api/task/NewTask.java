package com.pakaura.api.task;

import java.time.Instant;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/** A valid task to create, normalized as it will be stored. */
public record NewTask(String title, @Nullable String description, @Nullable Instant dueDate) {

	/**
	 * Validates raw input.
	 * @throws TaskValidationException naming every offending field
	 */
	public static NewTask of(@Nullable String title, @Nullable String description, @Nullable String dueDate) {
		TaskValidation rules = new TaskValidation();
		String validTitle = rules.title(title);
		String validDescription = rules.description(description);
		Instant validDueDate = rules.dueDate(dueDate);
		rules.throwIfAnyRejected();
		// a title that was not rejected is there
		return new NewTask(Objects.requireNonNull(validTitle), validDescription, validDueDate);
	}

}
