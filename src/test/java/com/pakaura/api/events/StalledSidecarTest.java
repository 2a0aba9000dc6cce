package com.pakaura.api.events;

import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.binder.dapr.FakeDaprSidecar;
import com.pakaura.api.support.ServiceTest;
import com.pakaura.api.support.UserSession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * FR-012, publishing never delays an API response, held structurally: the sidecar takes
 * every publish and never answers, the binder would wait ten minutes for each answer, one
 * request may be in flight and four events may wait. Every change is still answered as
 * usual, while its events are held or dropped. A route that waited for its events would
 * wait for a sidecar that never answers, and the test client gives up after a minute (a
 * hang guard, not a measure of speed).
 */
@ServiceTest
@TestPropertySource(properties = { "spring.cloud.stream.dapr.binder.response-timeout=10m",
		"spring.cloud.stream.dapr.binder.max-in-flight=1", "spring.cloud.stream.dapr.binder.buffer-size=4" })
class StalledSidecarTest {

	@RegisterExtension
	static final FakeDaprSidecar SIDECAR = FakeDaprSidecar.start();

	private static final int TASKS = 10;

	@Autowired
	private WebTestClient http;

	@Autowired
	private MeterRegistry meters;

	@DynamicPropertySource
	static void sidecar(DynamicPropertyRegistry properties) {
		properties.add("DAPR_ENABLED", () -> "true");
		properties.add("DAPR_HTTP_PORT", SIDECAR::port);
	}

	@Test
	void everyChangeIsAnsweredAsUsualWhileTheSidecarHoldsEveryPublish() {
		UserSession user = new UserSession(this.http);
		SIDECAR.stall(true);
		for (int i = 0; i < TASKS; i++) {
			String id = user.createTask(Map.of("title", "Held " + i));
			user.patch()
				.uri("/api/tasks/{id}", id)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("title", "Renamed " + i))
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.title")
				.isEqualTo("Renamed " + i);
			user.post().uri("/api/tasks/{id}/complete", id).exchange().expectStatus().isOk();
			user.delete().uri("/api/tasks/{id}", id).exchange().expectStatus().isNoContent();
		}
		// the publishes did reach the sidecar, which holds them: nothing was delivered,
		// the
		// one request allowed in flight waits, and what did not fit the buffer was
		// dropped
		assertThat(SIDECAR.arrivals()).anySatisfy((arrival) -> assertThat(arrival.path()).contains("/publish"));
		assertThat(SIDECAR.delivered()).isEmpty();
		await().untilAsserted(() -> assertThat(publishes("dropped")).isPositive());
		assertThat(publishes("success")).isZero();
	}

	private double publishes(String outcome) {
		return this.meters.find("dapr.publish")
			.tag("outcome", outcome)
			.counters()
			.stream()
			.mapToDouble((c) -> c.count())
			.sum();
	}

}
