package com.pakaura.api.stream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.api.TestPakauraApplication;
import com.pakaura.api.support.GenerousTimeouts;
import com.pakaura.api.support.HeadlessChromium;
import com.pakaura.api.support.LocalRun;

import static org.awaitility.Awaitility.await;

/**
 * README's local steps, as a new user takes them, with no sidecar anywhere: the service
 * runs as {@code mvn spring-boot:test-run} runs it ({@link TestPakauraApplication}, its
 * own process, Dapr off as by default); the {@code export TOKEN=...} line is taken from
 * its log as printed and pasted whole into {@code /local/stream} in a real browser
 * ({@link HeadlessChromium}); then README's REST calls (create "Buy milk", rename it,
 * complete it) and a chatbot's {@code add_task} through {@code /mcp}. Each change appears
 * on the page with its task's title before the next is made.
 */
class LocalRunStreamPageTest {

	private static final Path LOG = Path.of("target", "local-run-stream.log");

	private static final String EXPORT = "export TOKEN=";

	@Test
	void readmesRestAndMcpChangesAppearOnTheStreamPageWithTheirTitles() throws Exception {
		WebDriver browser = HeadlessChromium.start();
		try (LocalRun run = LocalRun.start(LOG)) {
			int port = run.port();
			String exportLine = awaitExportLine(run.process());
			String token = exportLine.substring(EXPORT.length());
			WebTestClient api = WebTestClient.bindToServer()
				.baseUrl("http://localhost:" + port)
				.responseTimeout(GenerousTimeouts.PATIENCE)
				.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token)
				.build();

			browser.get("http://localhost:" + port + LocalStreamPage.PATH);
			browser.findElement(By.id("token")).sendKeys(exportLine);
			browser.findElement(By.id("connect")).click();
			await().until(() -> browser.findElement(By.id("status")).getText().equals("connected"));

			String id = api.post()
				.uri("/api/tasks")
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(
						"{\"title\":\"Buy milk\",\"description\":\"2 litres\",\"due_date\":\"2026-12-01T09:00:00+01:00\"}")
				.exchange()
				.expectStatus()
				.isCreated()
				.expectBody(Map.class)
				.returnResult()
				.getResponseBody()
				.get("id")
				.toString();
			awaitOnPage(browser, "created: \"Buy milk\"");

			api.patch()
				.uri("/api/tasks/{id}", id)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"title\":\"Buy oat milk\",\"due_date\":null}")
				.exchange()
				.expectStatus()
				.isOk();
			awaitOnPage(browser, "updated: \"Buy oat milk\"");

			api.post().uri("/api/tasks/{id}/complete", id).exchange().expectStatus().isOk();
			awaitOnPage(browser, "completed: \"Buy oat milk\" (completed)");

			api.post()
				.uri("/mcp")
				.contentType(MediaType.APPLICATION_JSON)
				.accept(MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM)
				.bodyValue("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
						+ "\"params\":{\"name\":\"add_task\",\"arguments\":{\"title\":\"Call the plumber\"}}}")
				.exchange()
				.expectStatus()
				.isEqualTo(HttpStatus.OK);
			awaitOnPage(browser, "created: \"Call the plumber\"");
		}
		finally {
			browser.quit();
		}
	}

	/** The line the local run logs for the demo user, as a reader copies it. */
	private static String awaitExportLine(Process process) {
		AtomicReference<String> line = new AtomicReference<>();
		await().until(() -> {
			if (!process.isAlive()) {
				throw new AssertionError("the local run stopped; see " + LOG);
			}
			Files.readAllLines(LOG).stream().filter((text) -> text.startsWith(EXPORT)).findFirst().ifPresent(line::set);
			return line.get() != null;
		});
		return line.get();
	}

	private static void awaitOnPage(WebDriver browser, String text) {
		await().until(() -> browser.findElements(By.cssSelector("#events li"))
			.stream()
			.anyMatch((item) -> item.getText().equals(text)));
	}

}
