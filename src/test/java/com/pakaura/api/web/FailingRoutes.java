package com.pakaura.api.web;

import reactor.core.publisher.Mono;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * A route that fails the way a bug would: after a real database round trip (so the
 * failure surfaces on a driver thread), with SQL in the exception message.
 */
@TestConfiguration(proxyBeanMethods = false)
class FailingRoutes {

	static final String SECRET_SQL = "SELECT password_hash FROM secret_table";

	@Bean
	RouterFunction<ServerResponse> failingRoute(DatabaseClient db) {
		return RouterFunctions.route()
			.GET("/api/test-failure",
					(request) -> db.sql("SELECT 1")
						.fetch()
						.one()
						.flatMap((row) -> Mono.error(new IllegalStateException("relation missing in: " + SECRET_SQL))))
			.build();
	}

}
