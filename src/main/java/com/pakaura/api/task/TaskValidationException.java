package com.pakaura.api.task;

import java.util.List;

/**
 * Input that no task may have. Names every offending field, so a caller can fix them all
 * at once.
 */
public class TaskValidationException extends RuntimeException {

	/** What every way into the service says of a value that should have been text. */
	public static final String NOT_TEXT = "must be a string";

	private final List<FieldError> errors;

	public TaskValidationException(List<FieldError> errors) {
		super(describe(errors));
		if (errors.isEmpty()) {
			throw new IllegalArgumentException("A validation failure names at least one field");
		}
		this.errors = List.copyOf(errors);
	}

	public static TaskValidationException of(String field, String message) {
		return new TaskValidationException(List.of(new FieldError(field, message)));
	}

	public List<FieldError> errors() {
		return this.errors;
	}

	private static String describe(List<FieldError> errors) {
		return String.join("; ", errors.stream().map((e) -> e.field() + " " + e.message()).toList());
	}

	/**
	 * One offending field.
	 *
	 * @param field the field's name as the caller spelled it (snake_case)
	 * @param message what is wrong, as a sentence fragment following the field name
	 */
	public record FieldError(String field, String message) {

	}

}
