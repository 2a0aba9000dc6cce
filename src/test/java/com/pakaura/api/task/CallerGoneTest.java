package com.pakaura.api.task;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;

import com.pakaura.api.correlation.CorrelationId;
import com.pakaura.api.support.ApiTest;
import com.pakaura.api.support.PublishedEvents;
import com.pakaura.api.support.TaskRows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A caller that goes away (a client hanging up cancels its WebFlux request) never leaves a
 * committed change without its events: once a mutation has started, it runs to its end,
 * commit and events alike.
 */
@ApiTest
class CallerGoneTest {

	@Autowired
	private TaskService tasks;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private PublishedEvents events;

	@Test
	void aCreationWhoseCallerCancelsAtOnceIsStillCommittedAndPublished() {
		String user = "gone-" + UUID.randomUUID();

		cancelAtOnce(this.tasks.create(user, new NewTask("Asked for, then abandoned", null, null)), "gone-create");

		List<Map<String, Object>> rows = await().atMost(Duration.ofSeconds(10))
			.until(() -> new TaskRows(this.db).of(user), (found) -> !found.isEmpty());
		String taskId = rows.get(0).get("id").toString();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(this.events.forTask(taskId))
			.extracting(PublishedEvents.Published::type)
			.containsExactly("task.created", "sync.task"));
		assertThat(this.events.forTask(taskId))
			.allSatisfy((event) -> assertThat(event.json().get("traceid").stringValue()).isEqualTo("gone-create"));
	}

	@Test
	void clearingCompletedTasksWhoseCallerCancelsAtOnceStillDeletesAndPublishesEveryOne() {
		String user = "gone-" + UUID.randomUUID();
		TaskChange first = this.tasks.create(user, new NewTask("Done one", null, null)).block();
		TaskChange second = this.tasks.create(user, new NewTask("Done two", null, null)).block();
		this.tasks.complete(user, first.task().id()).block();
		this.tasks.complete(user, second.task().id()).block();

		cancelAtOnce(this.tasks.clearCompleted(user), "gone-clear");

		await().atMost(Duration.ofSeconds(10)).until(() -> new TaskRows(this.db).of(user).isEmpty());
		for (TaskChange created : List.of(first, second)) {
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(this.events.forTask(created.task().id().toString()))
					.filteredOn((event) -> event.json().get("traceid").stringValue().equals("gone-clear"))
					.extracting(PublishedEvents.Published::type)
					.containsExactly("task.deleted", "sync.task"));
		}
	}

	/** Subscribes as a request would, with its correlation id, and cancels straight away. */
	private static void cancelAtOnce(Mono<?> mutation, String correlationId) {
		mutation.contextWrite(Context.of(CorrelationId.CONTEXT_KEY, correlationId)).subscribe().dispose();
	}

}
