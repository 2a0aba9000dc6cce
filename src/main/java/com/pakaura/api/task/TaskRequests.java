package com.pakaura.api.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON bodies the task routes accept. Field names are snake_case, as the API's consumers
 * expect.
 */
final class TaskRequests {

	private TaskRequests() {
	}

	/**
	 * {@code POST /api/tasks}. The due date is taken as text so the domain can say what
	 * is wrong with it.
	 */
	@Schema(name = "NewTask", requiredProperties = "title",
			additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
	record CreateTask(@Schema(minLength = 1, maxLength = TaskValidation.TITLE_MAX,
			description = "Leading and trailing white space is trimmed; what remains may not be empty") @Nullable String title,
			@Schema(types = {
					"string", "null" }, maxLength = TaskValidation.DESCRIPTION_MAX) @Nullable String description,
			@JsonProperty("due_date") @Schema(types = { "string", "null" }, format = "date-time",
					description = "RFC 3339 with an offset; stored and shown in UTC") @Nullable String dueDate){

		NewTask toNewTask() {
			return NewTask.of(this.title, this.description, this.dueDate);
		}

	}

	/**
	 * {@code PATCH /api/tasks/{id}} (JSON merge patch, RFC 7396): a field left out is
	 * kept, a field set to {@code null} is cleared. Read from the JSON tree because a
	 * record cannot tell "left out" from "null" (Jackson gives both the same value), and
	 * that difference is the whole point of a patch.
	 */
	record PatchTask(ObjectNode body) {

		private static final Set<String> FIELDS = Set.of("title", "description", "due_date");

		/**
		 * @throws TaskValidationException naming every unknown or mistyped field
		 */
		TaskEdit toEdit() {
			List<TaskValidationException.FieldError> errors = new ArrayList<>();
			for (String name : this.body.propertyNames()) {
				if (!FIELDS.contains(name)) {
					errors.add(new TaskValidationException.FieldError(name, "is not a known field"));
				}
			}
			TaskEdit.NewValue<String> title = text("title", errors);
			TaskEdit.NewValue<String> description = text("description", errors);
			TaskEdit.NewValue<String> dueDate = text("due_date", errors);
			if (!errors.isEmpty()) {
				throw new TaskValidationException(errors);
			}
			return TaskEdit.of(title, description, dueDate);
		}

		/**
		 * {@code null} when left out; else the given value, {@code null} inside for JSON
		 * null.
		 */
		private TaskEdit.@Nullable NewValue<String> text(String name, List<TaskValidationException.FieldError> errors) {
			JsonNode value = this.body.get(name);
			if (value == null) {
				return null;
			}
			if (value.isNull()) {
				return new TaskEdit.NewValue<>(null);
			}
			if (!value.isString()) {
				errors.add(new TaskValidationException.FieldError(name, TaskValidationException.NOT_TEXT));
				return null;
			}
			return new TaskEdit.NewValue<>(value.stringValue());
		}

	}

}
