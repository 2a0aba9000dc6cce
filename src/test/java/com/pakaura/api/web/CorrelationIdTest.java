package com.pakaura.api.web;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.api.support.ApiTest;
import com.pakaura.api.support.UserSession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ApiTest
@Import(FailingRoutes.class)
@ExtendWith(OutputCaptureExtension.class)
class CorrelationIdTest {

	private static final String HEADER = "X-Correlation-ID";

	private static final String UUID_V4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

	@Autowired
	private WebTestClient http;

	@Test
	void aWellFormedIdFromTheCallerIsEchoed() {
		UserSession alice = new UserSession(this.http);
		String id = "order-42." + "x".repeat(54);
		alice.get()
			.uri("/api/tasks")
			.header(HEADER, id)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals(HEADER, id);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "has space", "semi;colon", "ünïcode",
			"65-characters-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" })
	void aMalformedIdIsReplacedByAFreshUuid(String malformed) {
		UserSession alice = new UserSession(this.http);
		alice.get().uri("/api/tasks").header(HEADER, malformed).exchange().expectHeader().valueMatches(HEADER, UUID_V4);
	}

	@Test
	void withoutAnIdEachRequestGetsItsOwn() {
		UserSession alice = new UserSession(this.http);
		String first = alice.get()
			.uri("/api/tasks")
			.exchange()
			.expectHeader()
			.valueMatches(HEADER, UUID_V4)
			.returnResult(Void.class)
			.getResponseHeaders()
			.getFirst(HEADER);
		String second = alice.get()
			.uri("/api/tasks")
			.exchange()
			.returnResult(Void.class)
			.getResponseHeaders()
			.getFirst(HEADER);
		assertThat(first).isNotEqualTo(second);
	}

	@Test
	void errorsCarryTheIdInTheHeaderAndTheProblem() {
		this.http.get()
			.uri("/api/tasks")
			.header(HEADER, "unauthenticated-1")
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectHeader()
			.valueEquals(HEADER, "unauthenticated-1")
			.expectBody()
			.jsonPath("$.correlation_id")
			.isEqualTo("unauthenticated-1");
		new UserSession(this.http).post()
			.uri("/api/tasks")
			.header(HEADER, "invalid-2")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("title", ""))
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.valueEquals(HEADER, "invalid-2")
			.expectBody()
			.jsonPath("$.correlation_id")
			.isEqualTo("invalid-2");
	}

	@Test
	void everyLogLineOfTheRequestCarriesTheId(CapturedOutput output) {
		String id = "trace-" + UUID.randomUUID();
		// the request's own trace picks out its lines, whether or not they carry the id
		String traceId = UUID.randomUUID().toString().replace("-", "");
		new UserSession(this.http).get()
			.uri("/api/test-failure")
			.header(HEADER, id)
			.header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
			.exchange()
			.expectStatus()
			.is5xxServerError();

		// The failure is logged from the database driver's thread, the access line from
		// the server's once the exchange completes (possibly just after the client has
		// its answer): both carry the id through the Reactor context.
		await().atMost(Duration.ofSeconds(60))
			.untilAsserted(() -> assertThat(
					output.getOut().lines().filter((line) -> line.contains("\"trace\":{\"id\":\"" + traceId + "\"}")))
				.anySatisfy((line) -> assertThat(line).contains("Request failed unexpectedly"))
				.anySatisfy((line) -> assertThat(line).contains("Request handled").contains("\"http_status\":500"))
				.allSatisfy((line) -> assertThat(line).contains("\"correlation_id\":\"" + id + "\"")));
	}

}
