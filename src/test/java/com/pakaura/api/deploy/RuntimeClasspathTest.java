package com.pakaura.api.deploy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.api.support.GenerousTimeouts;
import com.pakaura.api.support.LocalRun;
import com.pakaura.api.support.TestDatabase;
import com.pakaura.api.support.Tokens;
import com.pakaura.binder.dapr.FakeDaprSidecar;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service starts and serves on its runtime classpath alone, as the packaged jar and
 * the image run it. Every other test runs with the test libraries beside it, which can
 * hide a runtime dependency that a test-scoped one replaced (it happened: declaring the
 * JSON Schema validator for a test took it out of the jar, and the MCP server could no
 * longer start).
 */
class RuntimeClasspathTest {

	private static final Path CLASSPATH = Path.of("target", "runtime-classpath.txt");

	@Test
	void theServiceStartsAndServesOnItsRuntimeClasspath() throws IOException, InterruptedException {
		int port = FakeDaprSidecar.freePort();
		ProcessBuilder service = TestDatabase
			.javaProcess("target/classes" + File.pathSeparator + Files.readString(CLASSPATH).strip(),
					"com.pakaura.api.PakauraApplication")
			.redirectErrorStream(true)
			.redirectOutput(Path.of("target", "runtime-classpath-service.log").toFile());
		Map<String, String> env = service.environment();
		env.put("SERVER_PORT", String.valueOf(port));
		env.put("AUTH_JWT_SECRET", Tokens.SECRET);
		env.put("DAPR_ENABLED", "false");
		env.putAll(TestDatabase.environment("SPRING_R2DBC_"));
		Process process = service.start();
		try {
			LocalRun.awaitReady(process, port, Path.of("target", "runtime-classpath-service.log"));
			WebTestClient http = WebTestClient.bindToServer()
				.baseUrl("http://localhost:" + port)
				.responseTimeout(GenerousTimeouts.PATIENCE)
				.build();
			String token = Tokens.forUser("runtime-classpath");
			http.post()
				.uri("/api/tasks")
				.headers((headers) -> headers.setBearerAuth(token))
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("title", "On the runtime classpath"))
				.exchange()
				.expectStatus()
				.isCreated();
			// the MCP server checks tool results against their output schemas
			http.post()
				.uri("/mcp")
				.headers((headers) -> headers.setBearerAuth(token))
				.contentType(MediaType.APPLICATION_JSON)
				.accept(MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM)
				.bodyValue(Map.of("jsonrpc", "2.0", "id", 1, "method", "tools/call", "params",
						Map.of("name", "list_tasks", "arguments", Map.of())))
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.result.isError")
				.isEqualTo(false)
				.jsonPath("$.result.structuredContent.count")
				.isEqualTo(1);
			http.get().uri("/v3/api-docs").exchange().expectStatus().isOk();
		}
		finally {
			process.destroy();
			if (!process.waitFor(30, TimeUnit.SECONDS)) {
				process.destroyForcibly();
			}
		}
	}

}
