package com.pakaura.api.benchmark;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.util.context.Context;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import com.pakaura.api.PakauraApplication;
import com.pakaura.api.task.Task;
import com.pakaura.api.task.TaskChange;
import com.pakaura.api.task.TaskChangeListener;
import com.pakaura.api.task.TaskChangeListener.TransactionEnd;

/**
 * The publish path alone, as the service runs it after a commit: the event plan,
 * CloudEvents envelopes, Spring Cloud Stream, the dapr binder, and its requests to a
 * sidecar in another process ({@code perf/FastSidecar.java}, which answers as the daprd
 * version perf/run starts it as, 1.18 by default: bulk requests on
 * {@code /v1.0/publish/bulk}; it checks per-task order and counts duplicates). The service runs whole (its database too) but serves no
 * request: each operation hands {@value #TASKS} tasks' {@value #CHANGES_PER_TASK} changes
 * each to the service's {@link TaskChangeListener}, exactly as a committing transaction
 * does, and ends when the binder has counted every event as published. The score is
 * events per second; {@code -prof gc} gives the allocation per event.
 * <p>
 * Run by {@code perf/run} (or {@code mvn -Pjmh test-compile exec:exec} with
 * {@code DAPR_HTTP_PORT} naming a running sidecar and {@code PERF_R2DBC_URL} an empty
 * database). At the end it prints one {@code PUBLISH_PATH_ACCOUNTING} line: a delivery
 * other than a success is an error of the benchmark, as the sidecar is healthy.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 6, time = 10)
@Measurement(iterations = 5, time = 10)
// the image's JVM settings (pom.xml, jib) in the chart's 768 MiB container
@Fork(value = 1, jvmArgsAppend = { "-XX:MaxRAM=768m", "-XX:MaxRAMPercentage=25.0", "-XX:+UseSerialGC" })
public class PublishPathBenchmark {

	static final int TASKS = 100;

	static final int CHANGES_PER_TASK = 10;

	/** Each change is task.* on task-events and sync.task on task-updates. */
	static final int EVENTS_PER_OPERATION = TASKS * CHANGES_PER_TASK * 2;

	/** A guard against a hang only: a healthy sidecar takes well under a second. */
	private static final Duration DELIVERY_GUARD = Duration.ofMinutes(2);

	private ConfigurableApplicationContext service;

	private TaskChangeListener publisher;

	private MeterRegistry meters;

	private long handedOver;

	@Setup(Level.Trial)
	public void start() {
		String sidecarPort = required("DAPR_HTTP_PORT");
		this.service = new SpringApplicationBuilder(PakauraApplication.class).run("--server.port=0",
				"--spring.r2dbc.url=" + required("PERF_R2DBC_URL"), "--spring.r2dbc.username=postgres",
				"--pakaura.auth.jwt-secret=publish-path-benchmark-secret-of-32-bytes",
				"--spring.cloud.stream.dapr.binder.enabled=true",
				"--spring.cloud.stream.dapr.binder.http-port=" + sidecarPort, "--logging.level.root=WARN");
		this.publisher = this.service.getBean(TaskChangeListener.class);
		this.meters = this.service.getBean(MeterRegistry.class);
	}

	@Benchmark
	@OperationsPerInvocation(EVENTS_PER_OPERATION)
	public void publish() throws InterruptedException {
		List<Task> tasks = new ArrayList<>(TASKS);
		Instant now = Instant.now();
		for (int i = 0; i < TASKS; i++) {
			tasks.add(new Task(UUID.randomUUID(), "benchmark-user", "task " + i, "a task of the publish path benchmark",
					false, null, 1, now, now));
		}
		for (int version = 1; version <= CHANGES_PER_TASK; version++) {
			for (int i = 0; i < TASKS; i++) {
				Task before = tasks.get(i);
				TaskChange change = (version == 1) ? new TaskChange(TaskChange.Kind.CREATED, null, before, now)
						: new TaskChange(TaskChange.Kind.UPDATED, before, renamed(before, version), now);
				tasks.set(i, change.task());
				this.publisher.changing(List.of(change), Context.empty()).block().ended(TransactionEnd.COMMITTED);
			}
		}
		this.handedOver += EVENTS_PER_OPERATION;
		long deadline = System.nanoTime() + DELIVERY_GUARD.toNanos();
		while (outcomes().values().stream().mapToLong(Long::longValue).sum() < this.handedOver) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Events not delivered within " + DELIVERY_GUARD + ": " + outcomes());
			}
			Thread.sleep(1);
		}
	}

	@TearDown(Level.Trial)
	public void stop() {
		Map<String, Long> outcomes = outcomes();
		this.service.close();
		// perf/run reads this line, and the sidecar's own count of duplicates and order
		System.out.println("PUBLISH_PATH_ACCOUNTING handed_over=" + this.handedOver + " outcomes=" + outcomes);
		if (outcomes.getOrDefault("success", 0L) != this.handedOver) {
			throw new IllegalStateException("Not every event was published: " + outcomes);
		}
	}

	/** The binder's count of each outcome ({@code dapr.publish}). */
	private Map<String, Long> outcomes() {
		Map<String, Long> outcomes = new TreeMap<>();
		for (Counter counter : this.meters.find("dapr.publish").counters()) {
			outcomes.merge(counter.getId().getTag("outcome"), (long) counter.count(), Long::sum);
		}
		return outcomes;
	}

	private static Task renamed(Task task, int version) {
		return new Task(task.id(), task.userId(), "task renamed " + version, task.description(), false, null, version,
				task.createdAt(), task.updatedAt());
	}

	private static String required(String variable) {
		String value = System.getenv(variable);
		if (value == null || value.isBlank()) {
			throw new IllegalStateException(variable + " is not set: run this benchmark through perf/run");
		}
		return value;
	}

}
