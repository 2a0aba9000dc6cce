package com.pakaura.api.task;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * One validation of raw input: what a task's fields may hold, and how raw input becomes a
 * stored value. It collects what it finds wrong, so that one answer can name every
 * offending field; make one per request. Shared by every way into the service (REST,
 * MCP), so both give the same answer to the same input.
 */
final class TaskValidation {

	static final int TITLE_MAX = Task.TITLE_MAX_LENGTH;

	static final int DESCRIPTION_MAX = Task.DESCRIPTION_MAX_LENGTH;

	/**
	 * PostgreSQL keeps microseconds; values are cut there so what is returned is what is
	 * stored.
	 */
	private static final ChronoUnit STORED_PRECISION = ChronoUnit.MICROS;

	private static final String NOT_UNICODE = "must be Unicode text: it has a lone UTF-16 surrogate (an escape such as \\ud800 without its pair)";

	private static final Instant EARLIEST_DUE_DATE = Instant.parse("0001-01-01T00:00:00Z");

	private static final Instant LATEST_DUE_DATE = Instant.parse("9999-12-31T23:59:59.999999Z");

	private final List<TaskValidationException.FieldError> errors = new ArrayList<>();

	@Nullable String title(@Nullable String raw) {
		if (raw == null) {
			return reject("title", "is required");
		}
		if (!UnicodeText.isWellFormed(raw)) {
			return reject("title", NOT_UNICODE);
		}
		String title = raw.strip();
		if (UnicodeText.isBlank(title)) {
			return reject("title", "must not be blank");
		}
		return fits("title", title, TITLE_MAX) ? title : null;
	}

	/** An empty description is no description. */
	@Nullable String description(@Nullable String raw) {
		if (raw == null || raw.isEmpty()) {
			return null;
		}
		if (!UnicodeText.isWellFormed(raw)) {
			return reject("description", NOT_UNICODE);
		}
		return fits("description", raw, DESCRIPTION_MAX) ? raw : null;
	}

	/** What every text field keeps to: at most {@code max} characters, and no NUL. */
	private boolean fits(String field, String text, int max) {
		if (text.codePointCount(0, text.length()) > max) {
			reject(field, "must be at most " + max + " characters");
			return false;
		}
		if (text.indexOf('\u0000') >= 0) {
			reject(field, "must not contain NUL characters");
			return false;
		}
		return true;
	}

	/** An RFC 3339 timestamp with an offset; stored and returned in UTC. */
	@Nullable Instant dueDate(@Nullable String raw) {
		if (raw == null) {
			return null;
		}
		Instant dueDate;
		try {
			dueDate = OffsetDateTime.parse(raw, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
		}
		catch (DateTimeParseException ex) {
			return reject("due_date",
					"must be an RFC 3339 timestamp with a time zone offset, such as 2026-12-01T09:00:00Z");
		}
		if (dueDate.isBefore(EARLIEST_DUE_DATE) || dueDate.isAfter(LATEST_DUE_DATE)) {
			return reject("due_date", "must be between years 0001 and 9999");
		}
		return dueDate.truncatedTo(STORED_PRECISION);
	}

	void rejectNull(String field) {
		reject(field, "must not be null");
	}

	/** Throws one exception naming every field found wrong so far. */
	void throwIfAnyRejected() {
		if (!this.errors.isEmpty()) {
			throw new TaskValidationException(this.errors);
		}
	}

	private <T> @Nullable T reject(String field, String message) {
		this.errors.add(new TaskValidationException.FieldError(field, message));
		return null;
	}

}
