package com.pakaura.api.web;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.api.support.ApiTest;
import com.pakaura.api.support.PrometheusScrape;
import com.pakaura.api.support.UserSession;

import static org.assertj.core.api.Assertions.assertThat;

@ApiTest
class ActuatorTest {

	@Autowired
	private WebTestClient http;

	@Test
	void readinessIncludesTheDatabaseAndLivenessDoesNot() {
		this.http.get()
			.uri("/actuator/health/readiness")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("UP")
			.jsonPath("$.components.r2dbc.status")
			.isEqualTo("UP")
			.jsonPath("$.components.readinessState.status")
			.isEqualTo("UP");
		this.http.get()
			.uri("/actuator/health/liveness")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("UP")
			.jsonPath("$.components.r2dbc")
			.doesNotExist();
	}

	@Test
	void prometheusExposesHttpServerMetrics() {
		new UserSession(this.http).get().uri("/api/tasks").exchange().expectStatus().isOk();
		String scrape = PrometheusScrape.of(this.http);
		assertThat(scrape).contains("http_server_requests_seconds_count{").contains("uri=\"/api/tasks\"");
	}

}
