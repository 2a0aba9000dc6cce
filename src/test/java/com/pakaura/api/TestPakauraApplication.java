package com.pakaura.api;

import sun.misc.Signal;

import org.springframework.boot.SpringApplication;

import com.pakaura.api.support.TestDatabaseConfiguration;

/**
 * {@code mvn spring-boot:test-run}: the service on its local defaults with nothing to
 * install. The {@code local} profile is on and PostgreSQL is the test database (embedded
 * unless {@code PAKAURA_TEST_R2DBC_URL} names one).
 */
public class TestPakauraApplication {

	public static void main(String[] args) {
		// A stop by SIGTERM (kill, an IDE's stop button) is a clean stop of a local run:
		// exit 0 once the context has closed, as Ctrl+C (130) already is to the Maven
		// plugin, instead of the JVM's 143, which the plugin reports as BUILD FAILURE.
		Signal.handle(new Signal("TERM"), (signal) -> System.exit(0));
		SpringApplication.from(PakauraApplication::main)
			.with(TestDatabaseConfiguration.class)
			.withAdditionalProfiles("local")
			.run(args);
	}

}
