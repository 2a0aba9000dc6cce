package com.pakaura.api.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.api.TestPakauraApplication;
import com.pakaura.api.support.GenerousTimeouts;
import com.pakaura.api.support.TestDatabase;
import com.pakaura.binder.dapr.FakeDaprSidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * README's first command, {@code mvn spring-boot:test-run}, runs
 * {@link TestPakauraApplication}: stopped by a SIGTERM, it shuts down gracefully and
 * exits 0, which the Maven plugin reports as success (it reports the JVM's usual 143 as
 * BUILD FAILURE).
 */
class LocalRunTest {

	private static final Path LOG = Path.of("target", "local-run.log");

	@Test
	void aLocalRunStoppedBySigtermExitsCleanly() throws Exception {
		int port = FakeDaprSidecar.freePort();
		ProcessBuilder service = TestDatabase
			.javaProcess(System.getProperty("java.class.path"), TestPakauraApplication.class.getName(),
					"--server.port=" + port)
			.redirectErrorStream(true)
			.redirectOutput(LOG.toFile());
		// the test database, not a second embedded one
		service.environment().putAll(TestDatabase.environment("PAKAURA_TEST_R2DBC_"));
		Process process = service.start();
		try {
			WebTestClient http = WebTestClient.bindToServer()
				.baseUrl("http://localhost:" + port)
				.responseTimeout(GenerousTimeouts.PATIENCE)
				.build();
			await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
				if (!process.isAlive()) {
					throw new AssertionError("the local run stopped; see " + LOG);
				}
				return http.get()
					.uri("/actuator/health/readiness")
					.exchange()
					.returnResult(Void.class)
					.getStatus()
					.is2xxSuccessful();
			});

			process.destroy();

			assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("stopped").isTrue();
			assertThat(process.exitValue()).as("exit status; see %s", LOG).isZero();
			assertThat(Files.readString(LOG)).contains("Graceful shutdown complete");
		}
		finally {
			process.destroyForcibly();
		}
	}

}
