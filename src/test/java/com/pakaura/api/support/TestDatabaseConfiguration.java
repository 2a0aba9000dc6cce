package com.pakaura.api.support;

import org.springframework.boot.r2dbc.autoconfigure.R2dbcConnectionDetails;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Points the application at {@link TestDatabase}. Flyway follows on its own, through the
 * same derivation production uses.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestDatabaseConfiguration {

	@Bean
	R2dbcConnectionDetails testDatabase() {
		return TestDatabase::connectionOptions;
	}

}
