package com.pakaura.api;

import org.springframework.boot.SpringApplication;

import com.pakaura.api.support.TestDatabaseConfiguration;

/**
 * {@code mvn spring-boot:test-run}: the service on its local defaults with nothing to
 * install. The {@code local} profile is on and PostgreSQL is the test database (embedded
 * unless {@code PAKAURA_TEST_R2DBC_URL} names one).
 */
public class TestPakauraApplication {

	public static void main(String[] args) {
		SpringApplication.from(PakauraApplication::main)
			.with(TestDatabaseConfiguration.class)
			.withAdditionalProfiles("local")
			.run(args);
	}

}
