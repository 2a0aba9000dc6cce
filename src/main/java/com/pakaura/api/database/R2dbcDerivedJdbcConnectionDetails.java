package com.pakaura.api.database;

import java.util.Locale;
import java.util.Objects;

import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.flyway.autoconfigure.FlywayConnectionDetails;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;

/**
 * JDBC coordinates of the PostgreSQL database that an R2DBC URL names.
 *
 * <p>
 * It is also a {@link JdbcConnectionDetails} because that is what switches Boot's Flyway
 * auto-configuration on when the application has no {@code DataSource}; nothing else in
 * the application reads JDBC details (Boot's own DataSource auto-configuration stands
 * aside when an R2DBC {@code ConnectionFactory} exists).
 */
public record R2dbcDerivedJdbcConnectionDetails(String jdbcUrl, @Nullable String username,
		@Nullable String password) implements JdbcConnectionDetails, FlywayConnectionDetails {

	private static final String POSTGRES_DRIVER = "org.postgresql.Driver";

	private static final Option<Object> SSL_MODE = Option.valueOf("sslMode");

	public static R2dbcDerivedJdbcConnectionDetails from(ConnectionFactoryOptions options) {
		Object driver = options.getValue(ConnectionFactoryOptions.DRIVER);
		if ("pool".equals(driver)) {
			// r2dbc:pool:postgresql://... names the pooled driver in the protocol
			driver = options.getValue(ConnectionFactoryOptions.PROTOCOL);
		}
		if (!"postgresql".equals(driver) && !"postgres".equals(driver)) {
			throw new IllegalStateException("Only PostgreSQL is supported, but the R2DBC URL names driver '" + driver
					+ "'. Set SPRING_R2DBC_URL to r2dbc:postgresql://host:port/database");
		}
		Object host = Objects.requireNonNullElse(options.getValue(ConnectionFactoryOptions.HOST), "localhost");
		Object port = Objects.requireNonNullElse(options.getValue(ConnectionFactoryOptions.PORT), 5432);
		Object database = Objects.requireNonNullElse(options.getValue(ConnectionFactoryOptions.DATABASE), "");
		StringBuilder url = new StringBuilder("jdbc:postgresql://").append(host)
			.append(':')
			.append(port)
			.append('/')
			.append(database);
		Object sslMode = options.getValue(SSL_MODE);
		if (sslMode != null) {
			url.append("?sslmode=").append(sslMode.toString().toLowerCase(Locale.ROOT));
		}
		return new R2dbcDerivedJdbcConnectionDetails(url.toString(),
				asString(options.getValue(ConnectionFactoryOptions.USER)),
				asString(options.getValue(ConnectionFactoryOptions.PASSWORD)));
	}

	/**
	 * These coordinates with each of the given settings in place of the derived one;
	 * {@code null} or empty keeps it.
	 */
	public R2dbcDerivedJdbcConnectionDetails overriddenBy(@Nullable String url, @Nullable String user,
			@Nullable String password) {
		return new R2dbcDerivedJdbcConnectionDetails((url != null && !url.isEmpty()) ? url : this.jdbcUrl,
				hasText(user) ? user : this.username, hasText(password) ? password : this.password);
	}

	private static boolean hasText(@Nullable String value) {
		return value != null && !value.isEmpty();
	}

	private static @Nullable String asString(@Nullable Object value) {
		return (value != null) ? value.toString() : null;
	}

	@Override
	public String getJdbcUrl() {
		return this.jdbcUrl;
	}

	@Override
	public @Nullable String getUsername() {
		return this.username;
	}

	@Override
	public @Nullable String getPassword() {
		return this.password;
	}

	@Override
	public String getDriverClassName() {
		return POSTGRES_DRIVER;
	}

	@Override
	public String toString() {
		return "R2dbcDerivedJdbcConnectionDetails[jdbcUrl=" + this.jdbcUrl + ", username=" + this.username + "]";
	}

}
