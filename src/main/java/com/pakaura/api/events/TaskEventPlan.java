package com.pakaura.api.events;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import com.pakaura.api.events.TaskEventPayloads.FieldChange;
import com.pakaura.api.events.TaskEventPayloads.ReminderEventData;
import com.pakaura.api.events.TaskEventPayloads.SyncEventData;
import com.pakaura.api.events.TaskEventPayloads.TaskEventData;
import com.pakaura.api.task.Task;
import com.pakaura.api.task.TaskChange;

/**
 * Which events a committed change publishes, in order: the {@code task.*} event, then
 * {@code sync.task}, then the {@code reminder.*} event its due date calls for. A change
 * that changed nothing publishes nothing.
 */
final class TaskEventPlan {

	private TaskEventPlan() {
	}

	static List<TaskEvent> of(TaskChange change) {
		if (!change.changedAnything()) {
			return List.of();
		}
		Task task = change.task();
		String action = change.kind().name().toLowerCase(Locale.ROOT);
		long sequence = sequenceOf(change);
		List<TaskEvent> events = new ArrayList<>(3);
		Map<String, FieldChange> changes = (change.kind() == TaskChange.Kind.UPDATED)
				? fieldChanges(Objects.requireNonNull(change.before()), Objects.requireNonNull(change.after())) : null;
		events.add(new TaskEvent(EventBinding.TASK_EVENTS, "task." + action, task.id(), task.userId(), sequence,
				change.at(), new TaskEventData(task.id(), task.userId(), action, task.title(), task.completed(),
						changes, change.at())));
		events.add(new TaskEvent(EventBinding.TASK_UPDATES, "sync.task", task.id(), task.userId(), sequence,
				change.at(), new SyncEventData(task.id(), task.userId(), action, change.at())));
		Instant dueBefore = (change.before() != null) ? change.before().dueDate() : null;
		Instant dueAfter = (change.after() != null) ? change.after().dueDate() : null;
		String reminder = reminderAction(dueBefore, dueAfter);
		if (reminder != null) {
			Instant dueDate = Objects.requireNonNull((dueAfter != null) ? dueAfter : dueBefore);
			events.add(new TaskEvent(EventBinding.REMINDERS, "reminder." + reminder, task.id(), task.userId(), sequence,
					change.at(), new ReminderEventData(task.id(), task.userId(), reminder, dueDate, change.at())));
		}
		return List.copyOf(events);
	}

	/**
	 * The task's version after the change. A deleted task has no row left, so its
	 * deletion counts as one more version than its last.
	 */
	private static long sequenceOf(TaskChange change) {
		return (change.after() != null) ? change.after().version()
				: Objects.requireNonNull(change.before()).version() + 1;
	}

	private static @Nullable String reminderAction(@Nullable Instant before, @Nullable Instant after) {
		if (Objects.equals(before, after)) {
			return null;
		}
		if (before == null) {
			return "scheduled";
		}
		return (after == null) ? "cancelled" : "rescheduled";
	}

	private static Map<String, FieldChange> fieldChanges(Task before, Task after) {
		Map<String, FieldChange> changes = new LinkedHashMap<>();
		addIfChanged(changes, "title", before.title(), after.title());
		addIfChanged(changes, "description", before.description(), after.description());
		addIfChanged(changes, "due_date", before.dueDate(), after.dueDate());
		return changes;
	}

	private static void addIfChanged(Map<String, FieldChange> changes, String field, @Nullable Object before,
			@Nullable Object after) {
		if (!Objects.equals(before, after)) {
			changes.put(field, new FieldChange(before, after));
		}
	}

}
