package com.pakaura.api.events;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.pakaura.api.task.Task;
import com.pakaura.api.task.TaskChange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Unit tests of which events a change publishes ({@link TaskEventPlan}). No Spring, no
 * database.
 */
class TaskEventPlanTests {

	private static final Instant T0 = Instant.parse("2026-11-26T09:00:00Z");

	private static final Instant DUE = Instant.parse("2026-12-01T08:00:00Z");

	@Test
	void aCreationWithADueDatePublishesTheTaskSyncAndReminderEventsAtVersionOne() {
		Task created = task(1, false, DUE);
		List<TaskEvent> events = TaskEventPlan.of(new TaskChange(TaskChange.Kind.CREATED, null, created, T0));
		assertThat(events).extracting(TaskEvent::type)
			.containsExactly("task.created", "sync.task", "reminder.scheduled");
		assertThat(events).extracting(TaskEvent::sequence).containsOnly(1L);
		assertThat(events).extracting(TaskEvent::topic)
			.containsExactly(EventBinding.TASK_EVENTS, EventBinding.TASK_UPDATES, EventBinding.REMINDERS);
	}

	@Test
	void aDueDateThatMovesIsRescheduledAndOneThatGoesIsCancelled() {
		Task before = task(2, false, DUE);
		assertThat(types(TaskChange.Kind.UPDATED, before, task(3, false, DUE.plusSeconds(60))))
			.containsExactly("task.updated", "sync.task", "reminder.rescheduled");
		assertThat(types(TaskChange.Kind.UPDATED, before, task(3, false, null))).containsExactly("task.updated",
				"sync.task", "reminder.cancelled");
		assertThat(types(TaskChange.Kind.COMPLETED, before, task(3, true, DUE))).containsExactly("task.completed",
				"sync.task");
	}

	@Test
	void aDeletionCountsAsOneVersionMoreThanTheTasksLast() {
		List<TaskEvent> events = TaskEventPlan
			.of(new TaskChange(TaskChange.Kind.DELETED, task(4, true, DUE), null, T0));
		assertThat(events).extracting(TaskEvent::type)
			.containsExactly("task.deleted", "sync.task", "reminder.cancelled");
		assertThat(events).extracting(TaskEvent::sequence).containsOnly(5L);
	}

	@Test
	void aRequestThatChangedNothingPublishesNothing() {
		Task same = task(2, false, null);
		assertThat(TaskEventPlan.of(new TaskChange(TaskChange.Kind.UNCHANGED, same, same, T0))).isEmpty();
	}

	private static List<String> types(TaskChange.Kind kind, Task before, Task after) {
		return TaskEventPlan.of(new TaskChange(kind, before, after, T0)).stream().map(TaskEvent::type).toList();
	}

	private static Task task(long version, boolean completed, Instant dueDate) {
		return new Task(UUID.fromString("3f2b8c1d-9e4a-4b7c-a1d2-e3f4a5b6c7d8"), "u-1", "A task", null, completed,
				dueDate, version, T0, T0);
	}

}
