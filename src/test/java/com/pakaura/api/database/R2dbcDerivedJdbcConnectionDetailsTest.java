package com.pakaura.api.database;

import io.r2dbc.spi.ConnectionFactoryOptions;
import org.junit.jupiter.api.Test;

import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcConnectionDetails;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class R2dbcDerivedJdbcConnectionDetailsTest {

	@Test
	void migrationsGoToTheDatabaseTheR2dbcUrlNames() {
		R2dbcDerivedJdbcConnectionDetails jdbc = R2dbcDerivedJdbcConnectionDetails
			.from(ConnectionFactoryOptions.parse("r2dbc:postgresql://app:s3cret@db.internal:6543/pakaura"));
		assertThat(jdbc.getJdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/pakaura");
		assertThat(jdbc.getUsername()).isEqualTo("app");
		assertThat(jdbc.getPassword()).isEqualTo("s3cret");
		assertThat(jdbc.getDriverClassName()).isEqualTo("org.postgresql.Driver");
		assertThat(jdbc.toString()).doesNotContain("s3cret");
	}

	@Test
	void thePoolPrefixAndDefaultPortAreUnderstood() {
		R2dbcDerivedJdbcConnectionDetails jdbc = R2dbcDerivedJdbcConnectionDetails
			.from(ConnectionFactoryOptions.parse("r2dbc:pool:postgresql://localhost/pakaura"));
		assertThat(jdbc.getJdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/pakaura");
	}

	@Test
	void theSslModeCarriesOver() {
		R2dbcDerivedJdbcConnectionDetails jdbc = R2dbcDerivedJdbcConnectionDetails
			.from(ConnectionFactoryOptions.parse("r2dbc:postgresql://db:5432/pakaura?sslMode=VERIFY_FULL"));
		assertThat(jdbc.getJdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/pakaura?sslmode=verify_full");
	}

	@Test
	void bootsOwnFlywayConnectionSettingsWinOneByOne() {
		R2dbcConnectionDetails r2dbc = () -> ConnectionFactoryOptions
			.parse("r2dbc:postgresql://app:s3cret@db:5432/pakaura");
		MockEnvironment environment = new MockEnvironment().withProperty("spring.flyway.user", "migrator")
			.withProperty("spring.flyway.password", "ddl-rights");
		JdbcConnectionDetails jdbc = new MigrationConnectionConfiguration().migrationConnectionDetails(r2dbc,
				environment);
		assertThat(jdbc.getJdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/pakaura");
		assertThat(jdbc.getUsername()).isEqualTo("migrator");
		assertThat(jdbc.getPassword()).isEqualTo("ddl-rights");

		environment.setProperty("spring.flyway.url", "jdbc:postgresql://primary:5433/pakaura");
		jdbc = new MigrationConnectionConfiguration().migrationConnectionDetails(r2dbc, environment);
		assertThat(jdbc.getJdbcUrl()).isEqualTo("jdbc:postgresql://primary:5433/pakaura");
		assertThat(new MigrationConnectionConfiguration().migrationConnectionDetails(r2dbc, new MockEnvironment())
			.getUsername()).isEqualTo("app");
	}

	@Test
	void anotherDatabaseIsRefusedWithAClearMessage() {
		assertThatIllegalStateException()
			.isThrownBy(
					() -> R2dbcDerivedJdbcConnectionDetails.from(ConnectionFactoryOptions.parse("r2dbc:mysql://db/x")))
			.withMessageContaining("Only PostgreSQL is supported");
	}

}
