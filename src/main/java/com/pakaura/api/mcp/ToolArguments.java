package com.pakaura.api.mcp;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import com.pakaura.api.task.CanonicalUuid;
import com.pakaura.api.task.TaskEdit;
import com.pakaura.api.task.TaskValidationException;

/**
 * A tool call's arguments, read with the same care as a REST body: unknown names and
 * wrong types are refused with a message that names the argument. Absent and {@code null}
 * stay apart, which {@code update_task} needs to clear a field.
 */
final class ToolArguments {

	private final Map<String, Object> arguments;

	private ToolArguments(Map<String, Object> arguments) {
		this.arguments = arguments;
	}

	/**
	 * @throws ToolInputException when an argument is not one of {@code allowed}
	 */
	static ToolArguments of(@Nullable Map<String, Object> arguments, Set<String> allowed) {
		Map<String, Object> given = (arguments != null) ? arguments : Map.of();
		for (String name : given.keySet()) {
			if (!allowed.contains(name)) {
				throw new ToolInputException(
						"Unknown argument '" + name + "'; this tool takes " + String.join(", ", allowed));
			}
		}
		return new ToolArguments(given);
	}

	/**
	 * {@code null} when absent; else the given value, {@code null} inside when given as
	 * null.
	 */
	TaskEdit.@Nullable NewValue<String> optionalText(String name) {
		if (!this.arguments.containsKey(name)) {
			return null;
		}
		Object value = this.arguments.get(name);
		if (value != null && !(value instanceof String)) {
			throw new ToolInputException(name + " " + TaskValidationException.NOT_TEXT);
		}
		return new TaskEdit.NewValue<>((String) value);
	}

	/** The text, or {@code null} when absent or null. */
	@Nullable String text(String name) {
		TaskEdit.NewValue<String> value = optionalText(name);
		return (value != null) ? value.value() : null;
	}

	UUID taskId() {
		String text = text("task_id");
		if (text == null) {
			throw new ToolInputException("task_id is required");
		}
		try {
			return CanonicalUuid.parse(text);
		}
		catch (IllegalArgumentException ex) {
			throw new ToolInputException("task_id must be a UUID, such as 3f2b8c1d-9e4a-4b7c-a1d2-e3f4a5b6c7d8");
		}
	}

	/**
	 * Bad input for a tool; the client sees it as an error result, not a protocol
	 * failure.
	 */
	static final class ToolInputException extends RuntimeException {

		ToolInputException(String message) {
			super(message);
		}

	}

}
