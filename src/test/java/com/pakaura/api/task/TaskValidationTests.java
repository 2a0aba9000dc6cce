package com.pakaura.api.task;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Unit tests of how raw input becomes a task ({@link NewTask}, {@link TaskEdit},
 * {@link TaskValidation}). No Spring.
 */
class TaskValidationTests {

	@Test
	void aNewTaskIsTrimmedAndItsDueDateStoredInUtcToTheMicrosecond() {
		NewTask task = NewTask.of("  Buy milk \n", "", "2026-12-01T10:00:00.1234567+01:00");
		assertThat(task.title()).isEqualTo("Buy milk");
		assertThat(task.description()).as("an empty description is none").isNull();
		assertThat(task.dueDate()).isEqualTo(Instant.parse("2026-12-01T09:00:00.123456Z"));
	}

	@Test
	void everyOffendingFieldIsNamedAtOnce() {
		assertThatExceptionOfType(TaskValidationException.class)
			.isThrownBy(() -> NewTask.of("\u00a0\u200b", "x".repeat(Task.DESCRIPTION_MAX_LENGTH + 1), "tomorrow"))
			.satisfies((ex) -> assertThat(ex.errors()).extracting(TaskValidationException.FieldError::field)
				.containsExactly("title", "description", "due_date"));
	}

	@Test
	void lengthsAreCountedInCharactersNotUtf16UnitsOrBytes() {
		String emoji = "\ud83d\ude00";
		assertThat(NewTask.of(emoji.repeat(Task.TITLE_MAX_LENGTH), null, null).title())
			.hasSize(2 * Task.TITLE_MAX_LENGTH);
		assertThatExceptionOfType(TaskValidationException.class)
			.isThrownBy(() -> NewTask.of(emoji.repeat(Task.TITLE_MAX_LENGTH + 1), null, null));
	}

	@Test
	void textThatIsNotUnicodeOrHasNulIsRefused() {
		assertThatExceptionOfType(TaskValidationException.class).isThrownBy(() -> NewTask.of("a\ud800b", null, null))
			.withMessageContaining("lone UTF-16 surrogate");
		assertThatExceptionOfType(TaskValidationException.class).isThrownBy(() -> NewTask.of("ok", "a\u0000b", null))
			.withMessageContaining("NUL");
	}

	@Test
	void dueDatesOutsideYears1To9999AreRefused() {
		assertThatExceptionOfType(TaskValidationException.class)
			.isThrownBy(() -> NewTask.of("x", null, "+10000-01-01T00:00:00Z"));
		assertThatExceptionOfType(TaskValidationException.class).isThrownBy(() -> NewTask.of("x", null, "2026-12-01"));
	}

	@Test
	void anEditTellsLeftOutFromClearedFromSet() {
		TaskEdit edit = TaskEdit.of(null, new TaskEdit.NewValue<>(null),
				new TaskEdit.NewValue<>("2027-01-01T00:00:00Z"));
		assertThat(edit.title()).as("left out").isNull();
		assertThat(edit.description()).as("cleared").isEqualTo(new TaskEdit.NewValue<String>(null));
		assertThat(edit.dueDate()).as("set").isEqualTo(new TaskEdit.NewValue<>(Instant.parse("2027-01-01T00:00:00Z")));
		assertThatExceptionOfType(TaskValidationException.class)
			.isThrownBy(() -> TaskEdit.of(new TaskEdit.NewValue<>(null), null, null))
			.withMessageContaining("title must not be null");
	}

	@Test
	void anEditAppliesOnlyWhatItNames() {
		Instant now = Instant.parse("2026-11-26T00:00:00Z");
		Task task = new Task(java.util.UUID.randomUUID(), "u", "Old", "Keep", false, now, 3, now, now);
		Task edited = TaskEdit.of(new TaskEdit.NewValue<>("New"), null, new TaskEdit.NewValue<>(null)).applyTo(task);
		assertThat(edited.title()).isEqualTo("New");
		assertThat(edited.description()).isEqualTo("Keep");
		assertThat(edited.dueDate()).isNull();
		assertThat(edited.version()).isEqualTo(3);
	}

	@Test
	void aPageCursorRoundTripsAndAnythingElseIsRefused() {
		Instant now = Instant.parse("2026-11-26T10:15:30.123456Z");
		TaskPage.Cursor cursor = new TaskPage.Cursor(now,
				java.util.UUID.fromString("3f2b8c1d-9e4a-4b7c-a1d2-e3f4a5b6c7d8"));
		assertThat(TaskPage.Cursor.decode(cursor.encode())).isEqualTo(cursor);
		for (String bad : new String[] { "bm90LWEtY3Vyc29y", "%%%", "", java.util.Base64.getUrlEncoder()
			.encodeToString("2026-11-26T10:15:30Z|1-1-1-1-1".getBytes(java.nio.charset.StandardCharsets.UTF_8)) }) {
			assertThatExceptionOfType(TaskValidationException.class).isThrownBy(() -> TaskPage.Cursor.decode(bad));
		}
	}

}
