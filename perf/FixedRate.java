import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The harness's latency run: {@code POST /api/tasks} at a fixed rate, whatever the answers
 * take (an open loop, unlike wrk's connections, which wait for their answer before they send
 * again). Each request's latency counts from when it was due, not from when it went out, so
 * a stall shows in the percentiles instead of slowing the load down (coordinated
 * omission). The first seconds (the fourth argument) run at the same rate unrecorded: they warm
 * up this generator's own JVM and connections. Its JIT took 1.7, 1.2, then 0.6-0.7 of the 2
 * cores for about 10 s, then 0.3-0.4 (pidstat, research.md R22); with 5 s unrecorded the
 * service fell behind in them, and the recorded seconds inherited the backlog (worst 857 ms
 * falling over 5 s) when the service was still a little cold.
 * <p>
 * {@code java -cp <dependencies> FixedRate <base-url> <requests-per-s> <seconds> <unrecorded-seconds>}, with
 * the bearer token in {@code PERF_TOKEN}; prints
 * {@code FIXED_RATE_RESULT <due> <answered> <errors> <p50-ms> <p99-ms> <p99.9-ms>} of the
 * recorded requests, after one line per recorded second,
 * {@code FIXED_RATE_SECOND <epoch-ms> <worst-ms> <late-ms>}: the second's worst latency, and how
 * late this generator itself sent its latest request of that second. A stall then has a time to
 * be matched with the service's GC log and PostgreSQL's (checkpoints, autovacuum), and one of
 * this generator's own (its JIT, its GC, a core taken from it) shows as lateness, not as the
 * service's latency.
 */
public final class FixedRate {

	/** A guard against a hang only: answers still missing after this are errors. */
	private static final Duration DRAIN = Duration.ofSeconds(30);

	/**
	 * As many connections as the saturated runs' most, kept open, as clients behind an
	 * ingress's pool would: with up to 1,024, a slow second at the start opened hundreds of
	 * new ones, whose state the service promoted with the requests in flight, and the full
	 * collections that followed (250-570 ms) landed in the first recorded seconds (research.md
	 * R20). A request waiting for a connection is still timed from when it was due.
	 */
	private static final int MAX_CONNECTIONS = 64;

	private FixedRate() {
	}

	public static void main(String[] args) {
		String baseUrl = args[0];
		int rate = Integer.parseInt(args[1]);
		int seconds = Integer.parseInt(args[2]);
		int unrecordedSeconds = Integer.parseInt(args[3]);
		String authorization = "Bearer " + System.getenv("PERF_TOKEN");
		HttpClient client = HttpClient
			.create(ConnectionProvider.builder("fixed-rate")
				.maxConnections(MAX_CONNECTIONS)
				.pendingAcquireMaxCount(-1)
				.build())
			.baseUrl(baseUrl)
			.headers((headers) -> headers.set("Content-Type", "application/json").set("Authorization", authorization));
		Histogram latencies = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
		// a run longer than the service can keep up with has latencies beyond a minute
		latencies.setAutoResize(true);
		AtomicLong answered = new AtomicLong();
		AtomicLong errors = new AtomicLong();
		long unrecorded = (long) rate * unrecordedSeconds;
		long due = (long) rate * seconds;
		long interval = TimeUnit.SECONDS.toNanos(1) / rate;
		AtomicLongArray worstPerSecond = new AtomicLongArray(seconds);
		long[] latePerSecond = new long[seconds];
		long start = System.nanoTime();
		long startEpochMs = System.currentTimeMillis();
		for (long i = -unrecorded; i < due; i++) {
			long dueAt = start + (i + unrecorded) * interval;
			boolean recorded = i >= 0;
			long wait;
			while ((wait = dueAt - System.nanoTime()) > 0) {
				LockSupport.parkNanos(wait);
			}
			int second = (int) (i / rate);
			if (recorded) {
				latePerSecond[second] = Math.max(latePerSecond[second], System.nanoTime() - dueAt);
			}
			String body = "{\"title\":\"fixed rate " + i + "\",\"description\":\"a task of the latency run\"}";
			client.post()
				.uri("/api/tasks")
				.send(ByteBufFlux.fromString(Mono.just(body)))
				.responseSingle((response, content) -> content.then(Mono.just(response.status().code())))
				.subscribe((status) -> {
					if (recorded) {
						long latency = System.nanoTime() - dueAt;
						latencies.recordValue(latency);
						worstPerSecond.accumulateAndGet(second, latency, Math::max);
						answered.incrementAndGet();
						if (status >= 300) {
							errors.incrementAndGet();
						}
					}
				}, (error) -> {
					if (recorded) {
						answered.incrementAndGet();
						errors.incrementAndGet();
					}
				});
		}
		long drainUntil = System.nanoTime() + DRAIN.toNanos();
		while (answered.get() < due && System.nanoTime() < drainUntil) {
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
		}
		for (int second = 0; second < seconds; second++) {
			System.out.printf("FIXED_RATE_SECOND %d %.1f %.1f%n",
					startEpochMs + TimeUnit.SECONDS.toMillis(unrecordedSeconds + second),
					worstPerSecond.get(second) / 1_000_000.0, latePerSecond[second] / 1_000_000.0);
		}
		System.out.printf("FIXED_RATE_RESULT %d %d %d %.3f %.3f %.3f%n", due, answered.get(),
				errors.get() + (due - answered.get()), millis(latencies, 50), millis(latencies, 99),
				millis(latencies, 99.9));
		System.exit(0);
	}

	private static double millis(Histogram latencies, double percentile) {
		return latencies.getValueAtPercentile(percentile) / 1_000_000.0;
	}

}
