package com.pakaura.api.support;

import java.util.List;
import java.util.Map;

import org.springframework.r2dbc.core.DatabaseClient;

/**
 * Reads the {@code tasks} table directly, to check what a request did or did not write.
 */
public final class TaskRows {

	private final DatabaseClient db;

	public TaskRows(DatabaseClient db) {
		this.db = db;
	}

	/** Every column of every row of the user, in a stable order. */
	public List<Map<String, Object>> of(String userId) {
		return this.db.sql("SELECT * FROM tasks WHERE user_id = :userId ORDER BY id")
			.bind("userId", userId)
			.fetch()
			.all()
			.collectList()
			.block();
	}

	public long count() {
		return this.db.sql("SELECT count(*) AS n FROM tasks").map((row) -> row.get("n", Long.class)).one().block();
	}

}
