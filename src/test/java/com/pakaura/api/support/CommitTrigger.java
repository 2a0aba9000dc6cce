package com.pakaura.api.support;

import org.springframework.r2dbc.core.DatabaseClient;

/**
 * A deferred constraint trigger on {@code tasks}: PL/pgSQL that runs at a transaction's
 * COMMIT for each row it selects, to hold a commit (sleep) or refuse it (raise) at the
 * exact boundary a test is about. Install it before the test, remove it after.
 *
 * @param name the trigger's and its function's name
 */
public record CommitTrigger(DatabaseClient db, String name) {

	/**
	 * @param events what fires it, such as {@code INSERT OR UPDATE}
	 * @param when which rows, such as {@code NEW.title = 'slow'}
	 * @param body PL/pgSQL statements run at COMMIT for each such row
	 */
	public CommitTrigger install(String events, String when, String body) {
		this.db
			.sql("CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN %s RETURN NULL; END $$"
				.formatted(this.name, body))
			.then()
			.block();
		this.db.sql("""
				CREATE CONSTRAINT TRIGGER %s AFTER %s ON tasks DEFERRABLE INITIALLY DEFERRED
				FOR EACH ROW WHEN (%s) EXECUTE FUNCTION %s()""".formatted(this.name, events, when, this.name))
			.then()
			.block();
		return this;
	}

	public void remove() {
		this.db.sql("DROP TRIGGER IF EXISTS %s ON tasks".formatted(this.name)).then().block();
		this.db.sql("DROP FUNCTION IF EXISTS %s()".formatted(this.name)).then().block();
	}

}
