package com.pakaura.api.support;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.api.TestPakauraApplication;
import com.pakaura.binder.dapr.FakeDaprSidecar;

import static org.awaitility.Awaitility.await;

/**
 * README's first command, {@code mvn spring-boot:test-run}, as a process of its own:
 * {@link TestPakauraApplication} on a free port against the test database (not a second
 * embedded one), its output in a log file.
 */
public final class LocalRun implements AutoCloseable {

	private final Process process;

	private final int port;

	private LocalRun(Process process, int port) {
		this.process = process;
		this.port = port;
	}

	/** Starts it and waits until it is ready. */
	public static LocalRun start(Path log) throws IOException {
		int port = FakeDaprSidecar.freePort();
		ProcessBuilder service = TestDatabase
			.javaProcess(System.getProperty("java.class.path"), TestPakauraApplication.class.getName(),
					"--server.port=" + port)
			.redirectErrorStream(true)
			.redirectOutput(log.toFile());
		service.environment().putAll(TestDatabase.environment("PAKAURA_TEST_R2DBC_"));
		LocalRun run = new LocalRun(service.start(), port);
		try {
			awaitReady(run.process, port, log);
		}
		catch (RuntimeException | Error ex) {
			run.close();
			throw ex;
		}
		return run;
	}

	/**
	 * Waits until the service this process runs on this port answers its readiness probe;
	 * fails at once when the process ends.
	 */
	public static void awaitReady(Process process, int port, Path log) {
		WebTestClient http = WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + port)
			.responseTimeout(GenerousTimeouts.PATIENCE)
			.build();
		await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
			if (!process.isAlive()) {
				throw new AssertionError("the service stopped; see " + log);
			}
			return http.get()
				.uri("/actuator/health/readiness")
				.exchange()
				.returnResult(Void.class)
				.getStatus()
				.is2xxSuccessful();
		});
	}

	public int port() {
		return this.port;
	}

	public Process process() {
		return this.process;
	}

	/** Stops it as a terminal's Ctrl+C or an IDE's stop would, then for certain. */
	@Override
	public void close() {
		this.process.destroy();
		try {
			this.process.waitFor(2, TimeUnit.MINUTES);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.process.destroyForcibly();
	}

}
