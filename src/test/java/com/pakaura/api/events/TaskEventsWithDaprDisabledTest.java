package com.pakaura.api.events;

import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
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
 * The production binder with its default {@code DAPR_ENABLED=false}: nothing leaves the
 * process, and each event is logged at DEBUG with its fields.
 */
@ServiceTest
@TestPropertySource(properties = "logging.level.com.pakaura=DEBUG")
@ExtendWith(OutputCaptureExtension.class)
class TaskEventsWithDaprDisabledTest {

	/** A sidecar that listens where the binder would send, so a send would be seen. */
	@RegisterExtension
	static final FakeDaprSidecar SIDECAR = FakeDaprSidecar.start();

	@Autowired
	private WebTestClient http;

	@Autowired
	private MeterRegistry meters;

	@DynamicPropertySource
	static void sidecar(DynamicPropertyRegistry properties) {
		properties.add("DAPR_HTTP_PORT", SIDECAR::port);
	}

	@Test
	void eachEventIsLoggedAtDebugAndNoneIsSent(CapturedOutput output) {
		UserSession user = new UserSession(this.http);
		String id = user.createTask(Map.of("title", "Local only", "due_date", "2026-12-01T08:00:00Z"),
				(headers) -> headers.set("X-Correlation-ID", "disabled-dapr-1"));

		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
			assertThat(output.getOut()
				.lines()
				.filter((line) -> line.contains("Event handed to the binder")
						&& line.contains("\"correlation_id\":\"disabled-dapr-1\"")))
				.hasSize(3)
				.allSatisfy((line) -> assertThat(line).contains("\"level\":\"DEBUG\"")
					.contains("\"task_id\":\"" + id + "\"")
					.contains("\"user_id\":\"" + user.userId() + "\"")
					.contains("\"event_type\":\"")
					.contains("\"topic\":\""));
			assertThat(output.getOut()
				.lines()
				.filter((line) -> line.contains("Dapr is disabled: message not sent")
						&& line.contains("\"correlation_id\":\"disabled-dapr-1\"")))
				.hasSize(3);
		});
		// a binder that sent, or asked the sidecar whether it is ready, would reach the
		// listening sidecar within this window
		await().during(Duration.ofSeconds(2))
			.atMost(Duration.ofSeconds(60))
			.untilAsserted(() -> assertThat(SIDECAR.calls()).isEmpty());
		assertThat(this.meters.find("dapr.publish").counters()).as("publish outcomes counted")
			.allSatisfy((counter) -> assertThat(counter.count()).isZero());
	}

}
