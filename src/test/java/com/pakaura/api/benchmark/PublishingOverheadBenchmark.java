package com.pakaura.api.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.r2dbc.core.DatabaseClient;

import com.pakaura.api.PakauraApplication;
import com.pakaura.api.support.TestDatabaseConfiguration;
import com.pakaura.api.support.Tokens;
import com.pakaura.binder.dapr.FakeDaprSidecar;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Does publishing delay the API? {@code POST /api/tasks} (two events per request) is
 * timed with the Dapr binder disabled (the baseline) and enabled against a healthy
 * sidecar, a sidecar that never answers, and no sidecar at all, in fire-and-forget and in
 * outbox delivery; the result is each mode's latency as a ratio of the baseline's,
 * measured in the same run, and for a healthy sidecar the time from commit to the
 * sidecar. Run it with {@code mvn -Pbenchmark test}; it asserts only that every request
 * succeeded, never a time.
 *
 * <p>
 * The JVM keeps getting faster for a while (JIT, caches), so modes measured one after the
 * other would favour whichever comes last. The measured requests are therefore spread
 * over rounds; each round runs every mode once, in an order rotated by one per round, so
 * every mode is measured as often early as late. Samples are pooled per mode.
 */
class PublishingOverheadBenchmark {

	private static final int ROUNDS = 8;

	/** Measured requests per mode and round. */
	private static final int PER_ROUND = 250;

	/** Requests each application serves before it is measured. */
	private static final int WARMUP = 200;

	private static final List<Mode> MODES = List
		.of(new Mode("baseline: dapr disabled", false, false, "fire-and-forget", (sidecar) -> {
		}), new Mode("dapr enabled, sidecar answers 204 in 2-10 ms", true, false, "fire-and-forget",
				(sidecar) -> sidecar.latency(Duration.ofMillis(2), Duration.ofMillis(10))),
				new Mode("dapr enabled, sidecar never answers", true, false, "fire-and-forget",
						(sidecar) -> sidecar.stall(true)),
				new Mode("dapr enabled, no sidecar listening", true, true, "fire-and-forget", (sidecar) -> {
				}),
				new Mode("outbox, sidecar answers 204 in 2-10 ms", true, false, "outbox",
						(sidecar) -> sidecar.latency(Duration.ofMillis(2), Duration.ofMillis(10))),
				new Mode("outbox, sidecar never answers", true, false, "outbox", (sidecar) -> sidecar.stall(true)));

	/**
	 * Commit (the event's time) to arrival at the sidecar, per mode whose events arrive.
	 */
	private static final Map<Mode, List<Double>> DELIVERY_DELAYS = new LinkedHashMap<>();

	@Test
	void publishingDoesNotDelayTheApi() {
		// One unmeasured pass over every mode warms what all of them share.
		MODES.forEach((mode) -> measure(mode, WARMUP));
		Map<Mode, List<Double>> samples = new LinkedHashMap<>();
		MODES.forEach((mode) -> samples.put(mode, new ArrayList<>()));
		List<Double> baselineByRound = new ArrayList<>();
		for (int round = 0; round < ROUNDS; round++) {
			for (int i = 0; i < MODES.size(); i++) {
				Mode mode = MODES.get((round + i) % MODES.size());
				double[] millis = measure(mode, PER_ROUND);
				Arrays.stream(millis).forEach(samples.get(mode)::add);
				if (mode == MODES.get(0)) {
					baselineByRound.add(percentile(sorted(millis), 50));
				}
			}
		}

		double[] baseline = sorted(samples.get(MODES.get(0)));
		StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
				"%nPOST /api/tasks, %d sequential requests per mode over %d rotated rounds; ratios against the baseline%n"
						+ "%-48s %8s %8s %8s %10s %10s%n",
				ROUNDS * PER_ROUND, ROUNDS, "mode", "p50 ms", "p95 ms", "p99 ms", "p50 ratio", "p99 ratio"));
		for (Mode mode : MODES) {
			double[] millis = sorted(samples.get(mode));
			table.append(String.format(Locale.ROOT, "%-48s %8.2f %8.2f %8.2f %10.2f %10.2f%n", mode.name(),
					percentile(millis, 50), percentile(millis, 95), percentile(millis, 99),
					percentile(millis, 50) / percentile(baseline, 50),
					percentile(millis, 99) / percentile(baseline, 99)));
		}
		DELIVERY_DELAYS.forEach((mode, delays) -> {
			double[] millis = sorted(delays);
			table.append(String.format(Locale.ROOT, "commit to sidecar, %s: p50 %.1f ms, p99 %.1f ms%n", mode.name(),
					percentile(millis, 50), percentile(millis, 99)));
		});
		table.append(String.format(Locale.ROOT, "baseline p50 by round (the noise to judge ratios by): %s%n",
				baselineByRound.stream().map((p50) -> String.format(Locale.ROOT, "%.2f", p50)).toList()));
		System.out.println(table);
	}

	private static double[] sorted(List<Double> samples) {
		return samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
	}

	private static double[] sorted(double[] samples) {
		double[] copy = samples.clone();
		Arrays.sort(copy);
		return copy;
	}

	/**
	 * Starts the application in this mode, warms it, and times {@code requests}
	 * creations.
	 */
	private static double[] measure(Mode mode, int requests) {
		try (FakeDaprSidecar sidecar = FakeDaprSidecar.start()) {
			mode.sidecarBehaviour().accept(sidecar);
			int sidecarPort = mode.noSidecar() ? FakeDaprSidecar.freePort() : sidecar.port();
			try (ConfigurableApplicationContext app = SpringApplication.from(PakauraApplication::main)
				.with(TestDatabaseConfiguration.class)
				.run("--server.port=0", "--pakaura.auth.jwt-secret=" + Tokens.SECRET,
						"--DAPR_ENABLED=" + mode.daprEnabled(), "--DAPR_HTTP_PORT=" + sidecarPort,
						"--spring.cloud.stream.dapr.binder.startup-wait=0s",
						"--spring.cloud.stream.dapr.binder.shutdown-timeout=1s",
						"--pakaura.events.delivery=" + mode.delivery(), "--logging.level.root=WARN",
						"--logging.level.com.pakaura=ERROR")
				.getApplicationContext()) {
				int port = ((WebServerApplicationContext) app).getWebServer().getPort();
				// every mode starts from an empty outbox: rows another mode left would be
				// relayed here
				app.getBean(DatabaseClient.class).sql("DELETE FROM event_outbox").then().block();
				java.time.Instant started = java.time.Instant.now();
				HttpClient client = HttpClient.newHttpClient();
				String token = Tokens.forUser("bench-" + mode.name().hashCode());
				for (int i = 0; i < WARMUP; i++) {
					create(client, port, token, i);
				}
				double[] millis = new double[requests];
				for (int i = 0; i < requests; i++) {
					long start = System.nanoTime();
					create(client, port, token, i);
					millis[i] = (System.nanoTime() - start) / 1_000_000.0;
				}
				if (mode.name().contains("204")) {
					recordDeliveryDelays(mode, sidecar, started, 2 * (WARMUP + requests));
				}
				return millis;
			}
		}
	}

	/** Waits for the events to arrive, then keeps each one's delay from its commit. */
	private static void recordDeliveryDelays(Mode mode, FakeDaprSidecar sidecar, java.time.Instant started,
			int events) {
		long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
		while (sidecar.delivered().size() < events && System.nanoTime() < deadline) {
			Thread.onSpinWait();
		}
		List<Double> delays = DELIVERY_DELAYS.computeIfAbsent(mode, (key) -> new ArrayList<>());
		sidecar.delivered().forEach((delivered) -> {
			java.time.Instant committed = java.time.Instant.parse(delivered.event().get("time").stringValue());
			if (!committed.isBefore(started)) {
				delays.add(Duration.between(committed, delivered.receivedAt()).toNanos() / 1e6);
			}
		});
	}

	private static void create(HttpClient client, int port, String token, int i) {
		try {
			HttpResponse<Void> response = client
				.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/tasks"))
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

	/**
	 * @param noSidecar the binder points at a port where nothing listens
	 */
	private record Mode(String name, boolean daprEnabled, boolean noSidecar, String delivery,
			Consumer<FakeDaprSidecar> sidecarBehaviour) {

	}

}
