package com.pakaura.api.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import com.pakaura.api.PakauraApplication;
import com.pakaura.api.support.TestDatabaseConfiguration;
import com.pakaura.api.support.Tokens;
import com.pakaura.binder.dapr.FakeDaprSidecar;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Does publishing delay the API? {@code POST /api/tasks} (two events per request) is timed with
 * the Dapr binder disabled (the baseline) and enabled against a healthy sidecar, a sidecar that
 * never answers, and no sidecar at all; the result is each mode's latency as a ratio of the
 * baseline's, measured in the same run. Run it with {@code mvn -Pbenchmark test}; it asserts only
 * that every request succeeded, never a time.
 */
class PublishingOverheadBenchmark {

	private static final int WARMUP_ROUND = 1000;

	private static final int MEASURED = 2000;

	/** Requests each application serves before it is measured. */
	private static final int WARMUP = 200;

	@Test
	void publishingDoesNotDelayTheApi() {
		// The first round warms the JVM (JIT, pools) and is thrown away; only the second counts.
		runModes(WARMUP_ROUND);
		List<Result> results = runModes(MEASURED);

		double baselineP50 = (results.get(0).p50() + results.get(results.size() - 1).p50()) / 2;
		double baselineP99 = (results.get(0).p99() + results.get(results.size() - 1).p99()) / 2;
		StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
				"%nPOST /api/tasks, %d sequential requests per mode; ratios against the mean of the two baselines%n"
						+ "%-48s %8s %8s %8s %10s %10s%n",
				MEASURED, "mode", "p50 ms", "p95 ms", "p99 ms", "p50 ratio", "p99 ratio"));
		for (Result result : results) {
			table.append(String.format(Locale.ROOT, "%-48s %8.2f %8.2f %8.2f %10.2f %10.2f%n", result.mode(), result.p50(),
					result.p95(), result.p99(), result.p50() / baselineP50, result.p99() / baselineP99));
		}
		System.out.println(table);
	}

	private static List<Result> runModes(int requests) {
		List<Result> results = new ArrayList<>();
		results.add(measure("baseline: dapr disabled", requests, 0, (sidecar) -> {
		}, false));
		results.add(measure("dapr enabled, sidecar answers 204 in 2-10 ms", requests, 0,
				(sidecar) -> sidecar.latency(Duration.ofMillis(2), Duration.ofMillis(10)), true));
		results.add(measure("dapr enabled, sidecar never answers", requests, 0, (sidecar) -> sidecar.stall(true), true));
		results.add(measure("dapr enabled, no sidecar listening", requests, freePort(), (sidecar) -> {
		}, true));
		results.add(measure("baseline again: dapr disabled", requests, 0, (sidecar) -> {
		}, false));
		return results;
	}

	/**
	 * @param closedPort when not 0, the binder points at this port where nothing listens
	 */
	private static Result measure(String mode, int requests, int closedPort, Consumer<FakeDaprSidecar> sidecarBehaviour,
			boolean daprEnabled) {
		try (FakeDaprSidecar sidecar = FakeDaprSidecar.start()) {
			sidecarBehaviour.accept(sidecar);
			int sidecarPort = (closedPort != 0) ? closedPort : sidecar.port();
			try (ConfigurableApplicationContext app = SpringApplication.from(PakauraApplication::main)
				.with(TestDatabaseConfiguration.class)
				.run("--server.port=0", "--pakaura.auth.jwt-secret=" + Tokens.SECRET, "--DAPR_ENABLED=" + daprEnabled,
						"--DAPR_HTTP_PORT=" + sidecarPort, "--spring.cloud.stream.dapr.binder.startup-wait=0s",
						"--spring.cloud.stream.dapr.binder.shutdown-timeout=1s", "--logging.level.root=WARN",
						"--logging.level.com.pakaura=ERROR")
				.getApplicationContext()) {
				int port = ((WebServerApplicationContext) app).getWebServer().getPort();
				HttpClient client = HttpClient.newHttpClient();
				String token = Tokens.forUser("bench-" + mode.hashCode());
				for (int i = 0; i < WARMUP; i++) {
					create(client, port, token, i);
				}
				double[] millis = new double[requests];
				for (int i = 0; i < requests; i++) {
					long start = System.nanoTime();
					create(client, port, token, i);
					millis[i] = (System.nanoTime() - start) / 1_000_000.0;
				}
				Arrays.sort(millis);
				return new Result(mode, percentile(millis, 50), percentile(millis, 95), percentile(millis, 99));
			}
		}
	}

	private static void create(HttpClient client, int port, String token, int i) {
		try {
			HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/tasks"))
				.header("Authorization", "Bearer " + token)
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"benchmark " + i + "\"}"))
				.build(), HttpResponse.BodyHandlers.discarding());
			assertThat(response.statusCode()).isEqualTo(201);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static double percentile(double[] sorted, int percent) {
		return sorted[Math.min(sorted.length - 1, (int) Math.ceil(percent / 100.0 * sorted.length) - 1)];
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private record Result(String mode, double p50, double p95, double p99) {

	}

}
