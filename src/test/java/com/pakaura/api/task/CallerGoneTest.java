package com.pakaura.api.task;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;

import com.pakaura.api.correlation.CorrelationId;
import com.pakaura.api.support.ApiTest;
import com.pakaura.api.support.CommitTrigger;
import com.pakaura.api.support.PublishedEvents;
import com.pakaura.api.support.TaskRows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A caller that goes away (a client hanging up cancels its WebFlux request) while its
 * change is being committed never leaves the change without its events: they are
 * announced from within the commit. To catch the caller mid-commit, a deferred constraint
 * trigger makes PostgreSQL's COMMIT of rows titled {@value #SLOW} take a second.
 */
@ApiTest
class CallerGoneTest {

	private static final String SLOW = "slow commit";

	@Autowired
	private TaskService tasks;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private PublishedEvents events;

	@BeforeEach
	void commitsOfSlowRowsTakeASecond() {
		new CommitTrigger(this.db, "slow_commit_insert").install("INSERT", "NEW.title = '%s'".formatted(SLOW),
				"PERFORM pg_sleep(1);");
		new CommitTrigger(this.db, "slow_commit_delete").install("DELETE", "OLD.title = '%s'".formatted(SLOW),
				"PERFORM pg_sleep(1);");
	}

	@AfterEach
	void commitsAreFastAgain() {
		new CommitTrigger(this.db, "slow_commit_insert").remove();
		new CommitTrigger(this.db, "slow_commit_delete").remove();
	}

	@Test
	void aCreationWhoseCallerGoesAwayDuringTheCommitIsStillPublished() {
		String user = "gone-" + UUID.randomUUID();

		// a new task's INSERT commits on its own (TaskChangeListener#creating)
		cancelDuringCommit(this.tasks.create(user, new NewTask(SLOW, null, null)), "gone-create", "INSERT INTO tasks");

		List<Map<String, Object>> rows = await().atMost(Duration.ofSeconds(60))
			.until(() -> new TaskRows(this.db).of(user), (found) -> !found.isEmpty());
		String taskId = rows.get(0).get("id").toString();
		await().atMost(Duration.ofSeconds(60))
			.untilAsserted(() -> assertThat(this.events.forTask(taskId)).extracting(PublishedEvents.Published::type)
				.containsExactly("task.created", "sync.task"));
		assertThat(this.events.forTask(taskId))
			.allSatisfy((event) -> assertThat(event.json().get("traceid").stringValue()).isEqualTo("gone-create"));
	}

	@Test
	void clearingCompletedTasksWhoseCallerGoesAwayDuringTheCommitStillPublishesEveryDeletion() {
		String user = "gone-" + UUID.randomUUID();
		TaskChange slow = this.tasks.create(user, new NewTask(SLOW, null, null)).block();
		TaskChange other = this.tasks.create(user, new NewTask("Done too", null, null)).block();
		this.tasks.complete(user, slow.task().id()).block();
		this.tasks.complete(user, other.task().id()).block();

		cancelDuringCommit(this.tasks.clearCompleted(user), "gone-clear", "COMMIT");

		await().atMost(Duration.ofSeconds(60)).until(() -> new TaskRows(this.db).of(user).isEmpty());
		for (TaskChange created : List.of(slow, other)) {
			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(this.events.forTask(created.task().id().toString()))
					.filteredOn((event) -> event.json().get("traceid").stringValue().equals("gone-clear"))
					.extracting(PublishedEvents.Published::type)
					.containsExactly("task.deleted", "sync.task"));
		}
	}

	/**
	 * Subscribes as a request would, then cancels once PostgreSQL is busy committing.
	 * @param statement how the statement that commits begins
	 */
	private void cancelDuringCommit(Mono<?> mutation, String correlationId, String statement) {
		Disposable request = mutation.contextWrite(Context.of(CorrelationId.CONTEXT_KEY, correlationId)).subscribe();
		await().atMost(Duration.ofSeconds(60)).until(() -> aCommitIsRunning(statement));
		request.dispose();
	}

	private boolean aCommitIsRunning(String statement) {
		Long running = this.db.sql("""
				SELECT count(*) FROM pg_stat_activity
				WHERE state = 'active' AND query ILIKE :statement AND wait_event = 'PgSleep'""")
			.bind("statement", statement + "%")
			.map((row) -> row.get(0, Long.class))
			.one()
			.block();
		return running != null && running > 0;
	}

}
