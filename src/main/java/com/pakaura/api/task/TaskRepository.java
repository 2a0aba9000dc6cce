package com.pakaura.api.task;

import java.time.Instant;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.stereotype.Repository;

/**
 * SQL for the {@code tasks} table. Every statement is scoped to one user, so a task of
 * another user is simply not found. Timestamps come from the database clock
 * ({@code statement_timestamp()}), the one clock all instances share.
 */
@Repository
class TaskRepository {

	private static final String COLUMNS = "id, user_id, title, description, completed, due_date, version, created_at, updated_at";

	private final DatabaseClient db;

	TaskRepository(DatabaseClient db) {
		this.db = db;
	}

	/**
	 * @param sending run once a connection is had, right before the statement is sent on
	 * it: a failure before then is known to have written nothing
	 */
	Mono<Task> insert(UUID id, String userId, NewTask task, Runnable sending) {
		GenericExecuteSpec spec = this.db
			.sql("""
					INSERT INTO tasks (id, user_id, title, description, completed, due_date, version, created_at, updated_at)
					VALUES (:id, :userId, :title, :description, false, :dueDate, 1, statement_timestamp(), statement_timestamp())
					RETURNING %s"""
				.formatted(COLUMNS))
			.bind("id", id)
			.bind("userId", userId)
			.bind("title", task.title());
		spec = bindNullable(spec, "description", task.description(), String.class);
		spec = bindNullable(spec, "dueDate", task.dueDate(), Instant.class);
		return spec.filter((statement, next) -> {
			sending.run();
			return next.execute(statement);
		}).map(TaskRepository::toTask).one();
	}

	Mono<Task> find(UUID id, String userId) {
		return this.db.sql("SELECT %s FROM tasks WHERE id = :id AND user_id = :userId".formatted(COLUMNS))
			.bind("id", id)
			.bind("userId", userId)
			.map(TaskRepository::toTask)
			.one();
	}

	/** Reads the row and locks it until the surrounding transaction ends. */
	Mono<Task> findForUpdate(UUID id, String userId) {
		return this.db.sql("SELECT %s FROM tasks WHERE id = :id AND user_id = :userId FOR UPDATE".formatted(COLUMNS))
			.bind("id", id)
			.bind("userId", userId)
			.map(TaskRepository::toTask)
			.one();
	}

	/** Writes the editable fields and completion, bumping version and updated_at. */
	Mono<Task> update(Task task) {
		GenericExecuteSpec spec = this.db.sql("""
				UPDATE tasks
				SET title = :title, description = :description, due_date = :dueDate, completed = :completed,
				    version = version + 1, updated_at = statement_timestamp()
				WHERE id = :id AND user_id = :userId
				RETURNING %s""".formatted(COLUMNS))
			.bind("id", task.id())
			.bind("userId", task.userId())
			.bind("title", task.title())
			.bind("completed", task.completed());
		spec = bindNullable(spec, "description", task.description(), String.class);
		spec = bindNullable(spec, "dueDate", task.dueDate(), Instant.class);
		return spec.map(TaskRepository::toTask).one();
	}

	/** Deletes the row; emits it with the time of deletion. */
	Mono<TaskChange> delete(UUID id, String userId) {
		return this.db.sql(
				"DELETE FROM tasks WHERE id = :id AND user_id = :userId RETURNING %s, statement_timestamp() AS deleted_at"
					.formatted(COLUMNS))
			.bind("id", id)
			.bind("userId", userId)
			.map((row) -> TaskChange.deleted(toTask(row), row.get("deleted_at", Instant.class)))
			.one();
	}

	/**
	 * Deletes up to {@code limit} of the user's completed tasks, oldest first; emits each
	 * with the time of deletion.
	 */
	Flux<TaskChange> deleteCompleted(String userId, int limit) {
		return this.db
			.sql("""
					DELETE FROM tasks WHERE id IN (
					  SELECT id FROM tasks WHERE user_id = :userId AND completed ORDER BY created_at, id LIMIT :limit FOR UPDATE)
					RETURNING %s, statement_timestamp() AS deleted_at"""
				.formatted(COLUMNS))
			.bind("userId", userId)
			.bind("limit", limit)
			.map((row) -> TaskChange.deleted(toTask(row), row.get("deleted_at", Instant.class)))
			.all();
	}

	Mono<Long> countCompleted(String userId) {
		return this.db.sql("SELECT count(*) AS n FROM tasks WHERE user_id = :userId AND completed")
			.bind("userId", userId)
			.map((row) -> row.get("n", Long.class))
			.one();
	}

	/** One page of a user's tasks, newest first, starting after the cursor's position. */
	Flux<Task> list(String userId, @Nullable Boolean completed, TaskPage.@Nullable Cursor after, int limit) {
		StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM tasks WHERE user_id = :userId");
		if (completed != null) {
			sql.append(" AND completed = :completed");
		}
		if (after != null) {
			sql.append(" AND (created_at, id) < (:afterCreatedAt, :afterId)");
		}
		sql.append(" ORDER BY created_at DESC, id DESC LIMIT :limit");
		GenericExecuteSpec spec = this.db.sql(sql.toString()).bind("userId", userId).bind("limit", limit);
		if (completed != null) {
			spec = spec.bind("completed", completed);
		}
		if (after != null) {
			spec = spec.bind("afterCreatedAt", after.createdAt()).bind("afterId", after.id());
		}
		return spec.map(TaskRepository::toTask).all();
	}

	private static <T> GenericExecuteSpec bindNullable(GenericExecuteSpec spec, String name, @Nullable T value,
			Class<T> type) {
		return (value != null) ? spec.bind(name, value) : spec.bindNull(name, type);
	}

	private static Task toTask(Readable row) {
		return new Task(row.get("id", UUID.class), row.get("user_id", String.class), row.get("title", String.class),
				row.get("description", String.class), Boolean.TRUE.equals(row.get("completed", Boolean.class)),
				row.get("due_date", Instant.class), row.get("version", Long.class),
				row.get("created_at", Instant.class), row.get("updated_at", Instant.class));
	}

}
