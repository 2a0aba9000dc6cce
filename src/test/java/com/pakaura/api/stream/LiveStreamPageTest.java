package com.pakaura.api.stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.api.support.HeadlessChromium;
import com.pakaura.api.support.ServiceTest;
import com.pakaura.api.support.Tokens;
import com.pakaura.api.support.UserSession;
import com.pakaura.binder.dapr.FakeDaprSidecar;

import static org.awaitility.Awaitility.await;

/**
 * The local profile's stream page in a real browser (Debian's headless Chromium through
 * Selenium): a user pastes a token, connects, and a task created through the API appears
 * on the page, having gone through the sidecar and the consumer binding like any event
 * ({@link HeadlessChromium}: skipped where Chromium is missing, except on CI).
 */
@ServiceTest
@ActiveProfiles("local")
class LiveStreamPageTest {

	@RegisterExtension
	static final FakeDaprSidecar SIDECAR = FakeDaprSidecar.start();

	@DynamicPropertySource
	static void sidecar(DynamicPropertyRegistry properties) {
		properties.add("DAPR_ENABLED", () -> "true");
		properties.add("DAPR_HTTP_PORT", SIDECAR::port);
	}

	@LocalServerPort
	private int port;

	@Autowired
	private WebTestClient http;

	@Test
	void aTaskCreatedThroughTheApiAppearsOnThePage() {
		WebDriver browser = HeadlessChromium.start();
		SIDECAR.pubsubs("pubsub-kafka", "pubsub-kafka-broadcast").subscribeApp(this.port, null);
		UserSession user = new UserSession(this.http);
		try {
			browser.get("http://localhost:" + this.port + LocalStreamPage.PATH);
			// the whole line, as the local run logs it
			browser.findElement(By.id("token")).sendKeys("export TOKEN=" + Tokens.forUser(user.userId()));
			browser.findElement(By.id("connect")).click();
			await().until(() -> browser.findElement(By.id("status")).getText().equals("connected"));

			String id = user.createTask("Seen in the browser");

			// each change with the task's title, which the page asks the API for
			await().until(() -> browser.findElements(By.cssSelector("li[data-task-id='" + id + "']"))
				.stream()
				.anyMatch((item) -> item.getText().equals("created: \"Seen in the browser\"")));
		}
		finally {
			browser.quit();
		}
	}

}
