import java.nio.file.Files;
import java.nio.file.Path;
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
 * omission).
 * <p>
 * A lead-in at the same rate comes first, unrecorded, until the file named by the fifth
 * argument exists or the fourth argument's seconds have passed; perf/run creates the file once
 * the service's JIT has settled at this rate. Both the service and this generator compile at
 * the start of a fixed-rate run: the service's C2 compiler took 0.16-0.18 of a core for 35 s
 * after the saturated load before it, in every mode, and this generator's JIT 1.8 cores in its
 * first second and 0.4-0.8 for the next 10-15 s (research.md R22). Recorded from a fixed 5 or 15 s, the
 * first seconds inherited what the service fell behind by in them, `dapr-off` included.
 * <p>
 * {@code java -cp <dependencies> FixedRate <base-url> <requests-per-s> <seconds> <most-lead-in-seconds> <record-signal-file>}, with
 * the bearer token in {@code PERF_TOKEN}; prints
 * {@code FIXED_RATE_RESULT <due> <answered> <errors> <p50-ms> <p99-ms> <p99.9-ms> <lead-in-s>} of the
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
		long leadInMax = TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
		Path recordSignal = Path.of(args[4]);
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
		long due = (long) rate * seconds;
		long interval = TimeUnit.SECONDS.toNanos(1) / rate;
		AtomicLongArray worstPerSecond = new AtomicLongArray(seconds);
		long[] latePerSecond = new long[seconds];
		long start = System.nanoTime();
		long startEpochMs = System.currentTimeMillis();
		long lastLook = start;
		// the index of the first recorded request, once the lead-in has ended
		long firstRecorded = -1;
		for (long i = 0; firstRecorded < 0 || i - firstRecorded < due; i++) {
			long dueAt = start + i * interval;
			long wait;
			while ((wait = dueAt - System.nanoTime()) > 0) {
				LockSupport.parkNanos(wait);
			}
			if (firstRecorded < 0 && dueAt - lastLook >= TimeUnit.SECONDS.toNanos(1)) {
				lastLook = dueAt;
				if (Files.exists(recordSignal) || dueAt - start >= leadInMax) {
					firstRecorded = i;
				}
			}
			boolean recorded = firstRecorded >= 0;
			int second = recorded ? (int) ((i - firstRecorded) / rate) : 0;
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
		long leadInMs = TimeUnit.NANOSECONDS.toMillis(firstRecorded * interval);
		long drainUntil = System.nanoTime() + DRAIN.toNanos();
		while (answered.get() < due && System.nanoTime() < drainUntil) {
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
		}
		for (int second = 0; second < seconds; second++) {
			System.out.printf("FIXED_RATE_SECOND %d %.1f %.1f%n",
					startEpochMs + leadInMs + TimeUnit.SECONDS.toMillis(second),
					worstPerSecond.get(second) / 1_000_000.0, latePerSecond[second] / 1_000_000.0);
		}
		System.out.printf("FIXED_RATE_RESULT %d %d %d %.3f %.3f %.3f %.1f%n", due, answered.get(),
				errors.get() + (due - answered.get()), millis(latencies, 50), millis(latencies, 99),
				millis(latencies, 99.9), leadInMs / 1000.0);
		System.exit(0);
	}

	private static double millis(Histogram latencies, double percentile) {
		return latencies.getValueAtPercentile(percentile) / 1_000_000.0;
	}

}
