package com.pakaura.api.database;

import org.springframework.boot.r2dbc.autoconfigure.R2dbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Points Flyway at the database the service itself uses.
 *
 * <p>
 * The service talks to PostgreSQL over R2DBC, Flyway only speaks JDBC. Rather than asking
 * operators for a second URL, the JDBC connection is derived from whichever
 * {@link R2dbcConnectionDetails} the application has: {@code spring.r2dbc.*} in
 * production, an embedded database in tests. Boot's own connection settings win where
 * they are given ({@code spring.flyway.url}, {@code .user}, {@code .password}, each on
 * its own: a migration user with DDL rights, say, while the service connects as a user
 * without them). Everything else about Flyway stays with Boot's own auto-configuration
 * and {@code spring.flyway.*}.
 */
@Configuration(proxyBeanMethods = false)
class MigrationConnectionConfiguration {

	@Bean
	R2dbcDerivedJdbcConnectionDetails migrationConnectionDetails(R2dbcConnectionDetails r2dbc,
			Environment environment) {
		return R2dbcDerivedJdbcConnectionDetails.from(r2dbc.getConnectionFactoryOptions())
			.overriddenBy(environment.getProperty("spring.flyway.url"), environment.getProperty("spring.flyway.user"),
					environment.getProperty("spring.flyway.password"));
	}

}
