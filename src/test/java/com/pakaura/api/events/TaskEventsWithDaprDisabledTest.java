package com.pakaura.api.events;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.api.support.ServiceTest;
import com.pakaura.api.support.UserSession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The production binder with its default {@code DAPR_ENABLED=false}: nothing leaves the
 * process, and each event is logged at DEBUG with its fields.
 */
@ServiceTest
@TestPropertySource(properties = { "logging.level.com.pakaura=DEBUG", "DAPR_HTTP_PORT=1" })
@ExtendWith(OutputCaptureExtension.class)
class TaskEventsWithDaprDisabledTest {

	@Autowired
	private WebTestClient http;

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
		// DAPR_HTTP_PORT points at port 1: any attempt to send would have been logged as
		// a failure
		assertThat(output.getOut()).doesNotContain("Dapr sidecar unavailable")
			.doesNotContain("Event could not be published");
	}

}
