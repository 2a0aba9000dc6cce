package com.pakaura.api.events;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.pakaura.api.events.OutboxStore.Row;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the relay cuts a task's line of pending events: the events of one change go
 * together, never two of one topic at once, and changes follow one another.
 */
class OutboxLinesTests {

	private static final UUID TASK = UUID.randomUUID();

	@Test
	void aChangesEventsGoTogetherAndTheNextChangeAfterThem() {
		List<Row> line = List.of(row(1, 1, "task-events"), row(2, 1, "task-updates"), row(3, 1, "reminders"),
				row(4, 2, "task-events"), row(5, 2, "task-updates"), row(6, 3, "task-events"));
		assertThat(OutboxRelay.changesOf(line)).extracting((change) -> change.stream().map(Row::id).toList())
			.containsExactly(List.of(1L, 2L, 3L), List.of(4L, 5L), List.of(6L));
	}

	@Test
	void twoEventsOfOneTopicNeverGoAtOnceEvenInOneChange() {
		List<Row> line = List.of(row(1, 1, "task-events"), row(2, 1, "task-events"), row(3, 1, "task-updates"));
		assertThat(OutboxRelay.changesOf(line)).extracting((change) -> change.stream().map(Row::id).toList())
			.containsExactly(List.of(1L), List.of(2L, 3L));
	}

	private static Row row(long id, long sequence, String binding) {
		return new Row(id, UUID.randomUUID(), TASK, sequence, "t", binding, new byte[0], null, null, null, 0, 0);
	}

}
