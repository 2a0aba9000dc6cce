package com.pakaura.api.deploy;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.stream.binding.BindingService;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.api.support.ServiceTest;
import com.pakaura.binder.dapr.FakeDaprSidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service with the {@code k8s} profile, as the chart runs it next to a Dapr sidecar:
 * only the three output bindings are bound, the sidecar's start-up questions get the
 * answers daprd expects, health says plainly what works, and the log stays free of
 * errors.
 */
@ServiceTest
@ActiveProfiles("k8s")
@ExtendWith(OutputCaptureExtension.class)
class KubernetesProfileTest {

	@RegisterExtension
	static final FakeDaprSidecar SIDECAR = FakeDaprSidecar.start();

	@DynamicPropertySource
	static void sidecar(DynamicPropertyRegistry properties) {
		properties.add("DAPR_HTTP_PORT", SIDECAR::port);
	}

	@Autowired
	private WebTestClient http;

	@Autowired
	private BindingService bindings;

	@Test
	void onlyTheFunctionsMeantAsBindingsAreBoundSoTheBinderNeverRetriesAConsumer(CapturedOutput output) {
		// forward-headers-strategy=framework makes a ForwardedHeaderTransformer, which is
		// a Function
		assertThat(this.bindings.getConsumerBindingNames()).containsExactly("taskUpdates-in-0");
		assertThat(this.bindings.getProducerBindingNames()).containsExactlyInAnyOrder("task-events", "task-updates",
				"reminders");
		assertThat(output.getOut()).doesNotContain("\"level\":\"ERROR\"")
			.doesNotContain("Failed to create consumer binding");
	}

	@Test
	void theSidecarsSubscriptionQueryGetsTheInputBindingsWithoutAUserToken() {
		this.http.get()
			.uri("/dapr/subscribe")
			.header("dapr-app-id", "pakaura-api")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
			.expectBody()
			.json("""
					[{"pubsubname": "pubsub-kafka-broadcast", "topic": "task-updates",
					  "routes": {"default": "/dapr/subscriptions/taskUpdates-in-0"}}]""");
	}

	@Test
	void withTheSidecarDownReadinessStaysUpAndTheDaprComponentSaysWhy(CapturedOutput output) {
		SIDECAR.outboundReady(false);
		try {
			this.http.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
			this.http.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
			this.http.get()
				.uri("/actuator/health/dapr")
				.exchange()
				.expectStatus()
				.isEqualTo(503)
				.expectBody()
				.jsonPath("$.status")
				.isEqualTo("DOWN");
			// the whole: every component, the sidecar included
			this.http.get()
				.uri("/actuator/health")
				.exchange()
				.expectStatus()
				.isEqualTo(503)
				.expectBody()
				.jsonPath("$.components.dapr.status")
				.isEqualTo("DOWN")
				.jsonPath("$.components.r2dbc.status")
				.isEqualTo("UP");
		}
		finally {
			SIDECAR.outboundReady(true);
		}
		await().atMost(Duration.ofSeconds(60))
			.untilAsserted(() -> this.http.get().uri("/actuator/health/dapr").exchange().expectStatus().isOk());
		assertThat(output.getOut()).doesNotContain("\"level\":\"ERROR\"");
	}

}
