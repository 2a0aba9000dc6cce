package com.pakaura.api.web;

import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.api.support.ApiTest;
import com.pakaura.api.support.TaskRows;
import com.pakaura.api.support.Tokens;

import static org.assertj.core.api.Assertions.assertThat;

/** Only a valid HS256 token with an expiry and a subject opens {@code /api/**}. */
@ApiTest
class AuthenticationTest {

	@Autowired
	private WebTestClient http;

	@Autowired
	private DatabaseClient db;

	static Stream<Arguments> refusedTokens() {
		String user = "user-" + UUID.randomUUID();
		return Stream.of(Arguments.of("expired", Tokens.expired(user)),
				Arguments.of("signed with another secret", Tokens.signedWithAnotherSecret(user)),
				Arguments.of("signed with HS512", Tokens.hs512(user)),
				Arguments.of("signed with RS256", Tokens.rs256(user)),
				Arguments.of("unsigned (alg none)", Tokens.unsigned(user)),
				Arguments.of("without exp", Tokens.withoutExpiry(user)),
				Arguments.of("without sub", Tokens.withoutSubject()), Arguments.of("not a JWT", "not-a-jwt"),
				// a lone surrogate would be stored as '?', making "mallory\ud800" the
				// user "mallory?"
				Arguments.of("sub with a lone surrogate", Tokens.withSubjectJson("\"mallory\\ud800\"")),
				Arguments.of("sub with a lone low surrogate", Tokens.withSubjectJson("\"\\udc00mallory\"")),
				Arguments.of("sub with NUL", Tokens.withSubjectJson("\"mal\\u0000lory\"")),
				Arguments.of("sub with a control character", Tokens.withSubjectJson("\"mal\\u0007lory\"")),
				Arguments.of("sub of no-break spaces", Tokens.withSubjectJson("\"\\u00a0\\u00a0\"")),
				Arguments.of("sub of a zero-width space", Tokens.withSubjectJson("\"\\u200b\"")));
	}

	@Test
	void aRequestWithoutATokenIs401WithABearerChallenge() {
		this.http.get()
			.uri("/api/tasks")
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectHeader()
			.valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo(401)
			.jsonPath("$.detail")
			.isEqualTo("A valid bearer token is required: Authorization: Bearer <JWT>")
			.jsonPath("$.correlation_id")
			.exists();
	}

	@ParameterizedTest(name = "a token {0} is refused")
	@MethodSource("refusedTokens")
	void aBadTokenIs401AndChangesNothing(String kind, String token) {
		long rows = new TaskRows(this.db).count();
		this.http.post()
			.uri("/api/tasks")
			.headers((headers) -> headers.setBearerAuth(token))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("title", "should not exist"))
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectHeader()
			.value(HttpHeaders.WWW_AUTHENTICATE,
					(challenge) -> assertThat(challenge).startsWith("Bearer error=\"invalid_token\""))
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo(401)
			.jsonPath("$.detail")
			.value(String.class, (detail) -> assertThat(detail).startsWith("The bearer token was refused"));
		assertThat(new TaskRows(this.db).count()).isEqualTo(rows);
	}

	@Test
	void anotherSchemeThanBearerIs401() {
		this.http.get()
			.uri("/api/tasks")
			.header(HttpHeaders.AUTHORIZATION, "Basic dXNlcjpwYXNz")
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

	@Test
	void aValidTokenActsAsItsSubject() {
		String user = "user-" + UUID.randomUUID();
		this.http.post()
			.uri("/api/tasks")
			.headers((headers) -> headers.setBearerAuth(Tokens.forUser(user)))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("title", "mine"))
			.exchange()
			.expectStatus()
			.isCreated()
			.expectBody()
			.jsonPath("$.user_id")
			.isEqualTo(user);
	}

	@Test
	void healthAndMetricsNeedNoToken() {
		this.http.get()
			.uri("/actuator/health/liveness")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("UP");
		this.http.get().uri("/actuator/prometheus").exchange().expectStatus().isOk();
	}

	@Test
	void otherActuatorEndpointsAreNotOpen() {
		this.http.get().uri("/actuator/env").exchange().expectStatus().isUnauthorized();
	}

}
