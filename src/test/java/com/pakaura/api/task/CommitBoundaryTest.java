package com.pakaura.api.task;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;

import com.pakaura.api.support.ApiTest;
import com.pakaura.api.support.CommitTrigger;
import com.pakaura.api.support.PublishedEvents;
import com.pakaura.api.support.PublishedEvents.Published;
import com.pakaura.api.task.TaskEdit.NewValue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Where a change's events are let out, with PostgreSQL's COMMIT made observable by
 * deferred triggers (they run inside COMMIT, or at the end of a statement that commits on
 * its own, as a new task's INSERT does). A commit held for seconds shows that no event
 * leaves before it ends. A commit PostgreSQL refuses publishes nothing and counts nothing
 * lost (nothing was committed); one whose connection dies while it runs cannot be known
 * to have happened, so its events are counted as {@code commit_unknown}. Either way the
 * task's next change still publishes, in order.
 */
@ApiTest
class CommitBoundaryTest {

	private static final String SLOW = "held at commit";

	private static final String REFUSED = "refused at commit";

	private static final String COMMIT = "COMMIT";

	private static final String INSERT = "INSERT INTO tasks";

	@Autowired
	private TaskService tasks;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private PublishedEvents events;

	@Autowired
	private MeterRegistry meters;

	@BeforeEach
	void commitsOfMarkedRowsAreHeldOrRefused() {
		boundary().install("INSERT OR UPDATE", "NEW.title IN ('%s', '%s')".formatted(SLOW, REFUSED), """
				IF NEW.title = '%s' THEN PERFORM pg_sleep(3); END IF;
				IF NEW.title = '%s' THEN RAISE EXCEPTION 'refused at commit'; END IF;""".formatted(SLOW, REFUSED));
	}

	@AfterEach
	void commitsArePlainAgain() {
		boundary().remove();
	}

	private CommitTrigger boundary() {
		return new CommitTrigger(this.db, "commit_boundary");
	}

	@Test
	void noEventLeavesBeforeItsCommitHasEnded() throws InterruptedException {
		String user = "boundary-" + UUID.randomUUID();
		// the bindings are up and the publisher warm: an early hand-over would be seen
		String warm = this.tasks.create(user, new NewTask("Warm-up", null, null)).block().task().id().toString();
		await().atMost(Duration.ofSeconds(60)).until(() -> this.events.forTask(warm).size() == 2);
		Disposable creation = this.tasks.create(user, new NewTask(SLOW, null, null)).subscribe();
		try {
			// a new task's row is written by one statement that commits on its own: no
			// BEGIN and COMMIT around it (TaskChangeListener#creating)
			await().atMost(Duration.ofSeconds(60)).until(() -> aCommitIsHeld(INSERT));
			// well inside the three seconds the commit is held
			Thread.sleep(300);
			assertThat(eventsOf(user)).as("events while the commit is under way")
				.extracting((event) -> event.taskId())
				.containsOnly(warm);
			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(eventsOf(user)).extracting(Published::type)
					.containsExactly("task.created", "sync.task", "task.created", "sync.task"));
		}
		finally {
			creation.dispose();
		}
	}

	@Test
	void aChangeWhoseCommitIsRefusedPublishesNothingAndTheTasksNextChangeStillGoes() {
		String user = "boundary-" + UUID.randomUUID();
		UUID id = this.tasks.create(user, new NewTask("Plain", null, null)).block().task().id();
		double unknownBefore = commitUnknown();

		assertThatThrownBy(() -> this.tasks.edit(user, id, rename(REFUSED)).block()).as("the refused commit")
			.isNotNull();
		TaskChange renamed = this.tasks.edit(user, id, rename("Plain again")).block();

		assertThat(renamed.task().version()).as("the refused change left no version").isEqualTo(2);
		assertNextChangeWentInOrder(id);
		// rolled back: nothing was committed, so nothing is lost either
		assertThat(commitUnknown()).isEqualTo(unknownBefore);
	}

	@Test
	void aChangeWhoseConnectionDiesDuringItsCommitIsCountedAsCommitUnknownAndTheTasksNextChangeStillGoes() {
		String user = "boundary-" + UUID.randomUUID();
		UUID id = this.tasks.create(user, new NewTask("Plain", null, null)).block().task().id();
		double unknownBefore = commitUnknown();

		Disposable edit = this.tasks.edit(user, id, rename(SLOW)).subscribe((change) -> {
		}, (error) -> {
		});
		try {
			await().atMost(Duration.ofSeconds(60)).until(() -> aCommitIsHeld(COMMIT));
			// the database goes away in the middle of COMMIT: the service cannot know
			// whether the change is in
			terminateTheHeldCommit(COMMIT);
			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(commitUnknown() - unknownBefore)
					.as("events of the change counted as commit_unknown: task.updated and sync.task")
					.isEqualTo(2));
		}
		finally {
			edit.dispose();
		}
		TaskChange renamed = this.tasks.edit(user, id, rename("Plain again")).block();

		assertThat(renamed.task().version()).as("the killed commit left no version").isEqualTo(2);
		assertNextChangeWentInOrder(id);
	}

	@Test
	void aNewTaskWhoseStatementIsRefusedPublishesNothingAndCountsNothingLost() {
		String user = "boundary-" + UUID.randomUUID();
		double unknownBefore = commitUnknown();

		assertThatThrownBy(() -> this.tasks.create(user, new NewTask(REFUSED, null, null)).block())
			.as("the refused creation")
			.isNotNull();
		String after = this.tasks.create(user, new NewTask("Plain", null, null)).block().task().id().toString();

		await().atMost(Duration.ofSeconds(60)).until(() -> this.events.forTask(after).size() == 2);
		assertThat(eventsOf(user)).as("PostgreSQL answered: the statement, its own transaction, was rolled back")
			.extracting((event) -> event.taskId())
			.containsOnly(after);
		assertThat(tasksOf(user)).isEqualTo(1);
		assertThat(commitUnknown()).isEqualTo(unknownBefore);
	}

	/**
	 * PostgreSQL answers a session it terminates with an error before it closes it: the
	 * statement's own transaction did not commit, and the service knows it (a connection
	 * lost without an answer is the unknown case: TaskCreationTest).
	 */
	@Test
	void aNewTaskWhoseSessionIsTerminatedWhileItsStatementCommitsWasRolledBackAndCountsNothingLost() {
		String user = "boundary-" + UUID.randomUUID();
		double unknownBefore = commitUnknown();

		CompletableFuture<TaskChange> creation = this.tasks.create(user, new NewTask(SLOW, null, null)).toFuture();
		await().atMost(Duration.ofSeconds(60)).until(() -> aCommitIsHeld(INSERT));
		terminateTheHeldCommit(INSERT);
		assertThat(creation).failsWithin(Duration.ofSeconds(60));

		String after = this.tasks.create(user, new NewTask("Plain", null, null)).block().task().id().toString();
		await().atMost(Duration.ofSeconds(60)).until(() -> this.events.forTask(after).size() == 2);
		assertThat(eventsOf(user)).extracting((event) -> event.taskId()).containsOnly(after);
		assertThat(tasksOf(user)).isEqualTo(1);
		assertThat(commitUnknown()).isEqualTo(unknownBefore);
	}

	/** The task's creation, then its version 2, and nothing of the change that failed. */
	private void assertNextChangeWentInOrder(UUID id) {
		await().atMost(Duration.ofSeconds(60))
			.untilAsserted(() -> assertThat(this.events.forTask(id.toString()))
				.extracting((event) -> event.type() + " " + Long.parseLong(event.json().get("sequence").stringValue()))
				.containsExactly("task.created 1", "sync.task 1", "task.updated 2", "sync.task 2"));
		assertThat(this.events.forTask(id.toString()))
			.noneSatisfy((event) -> assertThat(event.json().toString()).containsAnyOf(REFUSED, SLOW));
	}

	private static TaskEdit rename(String title) {
		return new TaskEdit(new NewValue<>(title), null, null);
	}

	private @Nullable Long tasksOf(String user) {
		return this.db.sql("SELECT count(*) FROM tasks WHERE user_id = :user")
			.bind("user", user)
			.map((row) -> row.get(0, Long.class))
			.one()
			.block();
	}

	private double commitUnknown() {
		return this.meters.find("pakaura.events.publish")
			.tag("outcome", "commit_unknown")
			.counters()
			.stream()
			.mapToDouble((counter) -> counter.count())
			.sum();
	}

	private List<Published> eventsOf(String user) {
		return this.events.soFar()
			.stream()
			.filter((event) -> user.equals(event.json().path("data").path("user_id").stringValue()))
			.toList();
	}

	/** Ends the session whose commit {@link #aCommitIsHeld} sees, in the middle of it. */
	private void terminateTheHeldCommit(String statement) {
		this.db.sql("""
				SELECT pg_terminate_backend(pid) FROM pg_stat_activity
				WHERE state = 'active' AND query ILIKE :statement AND wait_event = 'PgSleep'""")
			.bind("statement", statement + "%")
			.then()
			.block();
	}

	/**
	 * This test's commit, asleep in the trigger; not any other session's.
	 * @param statement how the statement that commits begins: {@code COMMIT}, or a new
	 * task's {@code INSERT}, which commits on its own
	 */
	private boolean aCommitIsHeld(String statement) {
		Long held = this.db.sql("""
				SELECT count(*) FROM pg_stat_activity
				WHERE state = 'active' AND query ILIKE :statement AND wait_event = 'PgSleep'""")
			.bind("statement", statement + "%")
			.map((row) -> row.get(0, Long.class))
			.one()
			.block();
		return held != null && held > 0;
	}

}
