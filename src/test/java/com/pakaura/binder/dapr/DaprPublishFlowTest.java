package com.pakaura.binder.dapr;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.web.reactive.function.client.ClientRequestObservationContext;

import com.pakaura.binder.dapr.FakeDaprSidecar.Delivered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

/**
 * How publications flow: in order per key, in parallel across keys, bounded when the
 * sidecar is stuck, held back while it starts, and drained when the application stops.
 */
@ExtendWith(OutputCaptureExtension.class)
class DaprPublishFlowTest extends WithFreshSidecarEachTest {

	@ParameterizedTest(name = "bulk publish {0}")
	@ValueSource(booleans = { true, false })
	void eventsOfOneKeyArriveInOrderOneAtATimeWhileKeysGoInParallel(boolean bulk) throws Exception {
		this.sidecar.latency(Duration.ZERO, Duration.ofMillis(15));
		int threads = 6;
		int keysPerThread = 4;
		int eventsPerKey = 20;
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"spring.cloud.stream.dapr.binder.max-in-flight=8",
				"spring.cloud.stream.dapr.binder.bulk-publish=" + bulk)) {
			ExecutorService senders = Executors.newFixedThreadPool(threads);
			List<Future<?>> sending = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int thread = t;
				// each key belongs to one thread, so "the order it was sent in" is well
				// defined
				sending.add(senders.submit(() -> {
					for (int n = 0; n < eventsPerKey; n++) {
						for (int k = 0; k < keysPerThread; k++) {
							send(app, "key-" + thread + "-" + k, n);
						}
					}
				}));
			}
			for (Future<?> future : sending) {
				future.get();
			}
			senders.shutdown();
			int total = threads * keysPerThread * eventsPerKey;
			await().atMost(Duration.ofSeconds(30)).until(() -> this.sidecar.delivered().size() == total);
		}

		Map<String, List<Integer>> byKey = this.sidecar.delivered()
			.stream()
			.collect(Collectors.groupingBy(Delivered::key,
					Collectors.mapping((event) -> event.event().get("n").intValue(), Collectors.toList())));
		assertThat(byKey).hasSize(threads * keysPerThread)
			.allSatisfy((key, order) -> assertThat(order).as(key)
				.containsExactlyElementsOf(IntStream.range(0, eventsPerKey).boxed().toList()));
		assertThat(this.sidecar.maxConcurrentPerKey()).isEqualTo(1);
		if (bulk) {
			// keys go in parallel as entries of one request, one request at a time per
			// topic
			assertThat(this.sidecar.maxConcurrent()).isEqualTo(1);
			assertThat(this.sidecar.bulkRequests()).allSatisfy(
					(request) -> assertThat(request.partitionKeys()).as("keys of one request").doesNotHaveDuplicates())
				.anySatisfy((request) -> assertThat(request.entries()).isGreaterThan(1));
		}
		else {
			assertThat(this.sidecar.bulkRequests()).isEmpty();
			assertThat(this.sidecar.maxConcurrent()).isGreaterThan(1).isLessThanOrEqualTo(8);
		}
	}

	@Test
	void theSendersThreadOnlyQueuesAndRequestsAreMadeOnTheBindersOwnThread() {
		Set<String> requestThreads = ConcurrentHashMap.newKeySet();
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port())) {
			app.context()
				.getBean(ObservationRegistry.class)
				.observationConfig()
				.observationHandler(new ObservationHandler<ClientRequestObservationContext>() {
					@Override
					public void onStart(ClientRequestObservationContext context) {
						requestThreads.add(Thread.currentThread().getName());
					}

					@Override
					public boolean supportsContext(Observation.Context context) {
						return context instanceof ClientRequestObservationContext;
					}
				});
			for (int n = 0; n < 20; n++) {
				send(app, "key-" + (n % 3), n);
			}
			await().atMost(Duration.ofSeconds(30)).until(() -> this.sidecar.delivered().size() == 20);
		}

		assertThat(requestThreads).isNotEmpty().allSatisfy((thread) -> assertThat(thread).startsWith("dapr-binder"));
	}

	@Test
	void whenTheSidecarIsStuckTheBufferStaysBoundedAndTheNewestAreDropped() {
		this.sidecar.stall(true);
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"spring.cloud.stream.dapr.binder.max-in-flight=1", "spring.cloud.stream.dapr.binder.buffer-size=5",
				"spring.cloud.stream.dapr.binder.timeout=60s",
				"spring.cloud.stream.dapr.binder.shutdown-timeout=200ms")) {
			// The first is with the sidecar before the others come: until the binder has
			// read the sidecar's metadata, all would wait in the buffer instead.
			send(app, "key-0", 0);
			await().atMost(Duration.ofSeconds(60))
				.until(() -> app.meters().get("dapr.publish.in.flight").gauge().value() == 1);
			// Sending never waits for the sidecar: all sends return although nothing is
			// answered.
			assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
				for (int i = 1; i < 20; i++) {
					send(app, "key-" + i, i);
				}
			});
			await().atMost(Duration.ofSeconds(60)).until(() -> app.published("dropped") == 14);
			assertThat(app.meters().get("dapr.publish.queued").gauge().value()).isEqualTo(5);
			assertThat(app.meters().get("dapr.publish.in.flight").gauge().value()).isEqualTo(1);
			MeterRegistry meters = app.meters();
			app.close();
			// the 5 still waiting when the shutdown timeout ran out are counted as
			// dropped too
			assertThat(DaprBinderApplication.published(meters, "dropped")).isEqualTo(19);
		}
	}

	@Test
	void eventsQueuedBehindAStuckRequestOfTheirKeyAreCountedAsDroppedAtShutdownAndNeverSentAfterIt() {
		this.sidecar.stall(true);
		DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"spring.cloud.stream.dapr.binder.timeout=60s",
				"spring.cloud.stream.dapr.binder.shutdown-timeout=200ms");
		for (int n = 0; n < 5; n++) {
			send(app, "one-key", n);
		}
		await().atMost(Duration.ofSeconds(60)).until(() -> this.sidecar.maxConcurrent() == 1);
		MeterRegistry meters = app.meters();
		app.close();

		// the first is with the sidecar; the four waiting behind it in its lane are given
		// up and counted
		assertThat(DaprBinderApplication.published(meters, "dropped")).isEqualTo(4);
		assertThat(meters.get("dapr.publish.queued").gauge().value()).isZero();
		// nothing is sent once the application has stopped, even when the sidecar answers
		// again: the one request that arrived stays the only one
		this.sidecar.stall(false);
		await().during(Duration.ofMillis(500))
			.atMost(Duration.ofSeconds(30))
			.until(() -> this.sidecar.arrivals().size() == 1);
	}

	@Test
	void anEventBeingRetriedWhenTheApplicationStopsEndsWithItsLastOutcomeAndNoFurtherAttempt(CapturedOutput output) {
		// the broker fails every attempt (500), and the binder retries until its timeout
		this.sidecar.failNextPublishes(Integer.MAX_VALUE);
		DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"spring.cloud.stream.dapr.binder.timeout=60s",
				"spring.cloud.stream.dapr.binder.shutdown-timeout=200ms");
		MeterRegistry meters = app.meters();
		send(app, "retried", 0);
		await().atMost(Duration.ofSeconds(60)).until(() -> this.sidecar.arrivals().size() >= 2);
		app.close();

		await().atMost(Duration.ofSeconds(60))
			.until(() -> meters.find("dapr.publish").counters().stream().mapToDouble((c) -> c.count()).sum() == 1);
		assertThat(DaprBinderApplication.published(meters, "success")).isZero();
		// no attempt after the last outcome, on the client's event loop or elsewhere
		int attempts = this.sidecar.arrivals().size();
		await().during(Duration.ofSeconds(2))
			.atMost(Duration.ofSeconds(30))
			.until(() -> this.sidecar.arrivals().size() == attempts);
		assertThat(output.getOut()).doesNotContain("not accepted by an event loop");
	}

	@Test
	void queuedAndInFlightEventsDrainWhenTheApplicationStops() {
		this.sidecar.latency(Duration.ofMillis(40), Duration.ofMillis(60));
		DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"spring.cloud.stream.dapr.binder.max-in-flight=2",
				"spring.cloud.stream.dapr.binder.shutdown-timeout=20s");
		for (int n = 0; n < 10; n++) {
			send(app, "a", n);
			send(app, "b", n);
		}
		app.close();

		assertThat(this.sidecar.delivered()).hasSize(20);
		assertThat(this.sidecar.delivered()
			.stream()
			.filter((event) -> event.key().equals("a"))
			.map((event) -> event.event().get("n").intValue())).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
	}

	@Test
	void aSidecarThatShutsDownBeforeTheApplicationHasDrainedLeavesEveryEventCountedNoneSilent() {
		this.sidecar.latency(Duration.ofMillis(50), Duration.ofMillis(50));
		DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"spring.cloud.stream.dapr.binder.max-in-flight=1", "spring.cloud.stream.dapr.binder.timeout=300ms",
				"spring.cloud.stream.dapr.binder.shutdown-timeout=2s");
		MeterRegistry meters = app.meters();
		for (int n = 0; n < 30; n++) {
			send(app, "k", n);
		}
		await().atMost(Duration.ofSeconds(60)).until(() -> this.sidecar.delivered().size() >= 3);
		// SIGTERM reaches the sidecar and the application together; without
		// block-shutdown-duration
		// the sidecar stops listening at once while the application still drains
		this.sidecar.shutdown();
		app.close();

		double counted = Stream.of("success", "unavailable", "unknown", "dropped")
			.mapToDouble((outcome) -> DaprBinderApplication.published(meters, outcome))
			.sum();
		assertThat(counted).isEqualTo(30);
		assertThat(DaprBinderApplication.published(meters, "success")).isEqualTo(this.sidecar.delivered().size());
		assertThat(DaprBinderApplication.published(meters, "unavailable")
				+ DaprBinderApplication.published(meters, "dropped"))
			.isPositive();
	}

	@Test
	void eventsSentBeforeTheSidecarIsUpWaitForItAndNoneIsLost() throws Exception {
		int port = freePort();
		this.sidecar.close();
		try (DaprBinderApplication app = DaprBinderApplication.start(port,
				"spring.cloud.stream.dapr.binder.startup-wait=20s")) {
			for (int n = 0; n < 5; n++) {
				send(app, "early", n);
			}
			Thread.sleep(500);
			// the sidecar process starts, its components are not loaded yet...
			FakeDaprSidecar starting = FakeDaprSidecar.startOn(port).outboundReady(false);
			this.sidecar = starting;
			// the binder has asked whether it is ready, was told no, and sent nothing
			await().atMost(Duration.ofSeconds(60))
				.until(() -> starting.calls()
					.stream()
					.anyMatch((arrival) -> arrival.path().equals("/v1.0/healthz/outbound")));
			assertThat(this.sidecar.requests()).isEmpty();
			// ...and then they are
			this.sidecar.outboundReady(true);
			await().atMost(Duration.ofSeconds(60)).until(() -> this.sidecar.delivered().size() == 5);
			assertThat(this.sidecar.delivered()).extracting((event) -> event.event().get("n").intValue())
				.containsExactly(0, 1, 2, 3, 4);
			assertThat(app.published("success")).isEqualTo(5);
			assertThat(app.published("unavailable")).isZero();
		}
	}

	@Test
	void aSidecarThatNeverComesUpHoldsEventsOnlyForTheStartupWait() {
		try (DaprBinderApplication app = DaprBinderApplication.start(freePort(),
				"spring.cloud.stream.dapr.binder.startup-wait=300ms",
				"spring.cloud.stream.dapr.binder.timeout=200ms")) {
			send(app, "k", 0);
			await().atMost(Duration.ofSeconds(60)).until(() -> app.published("unavailable") == 1);
		}
	}

	private static void send(DaprBinderApplication app, String key, int n) {
		String event = "{\"specversion\":\"1.0\",\"id\":\"" + key + "-" + n
				+ "\",\"source\":\"t\",\"type\":\"t\",\"traceid\":\"c\",\"n\":" + n + "}";
		app.streamBridge()
			.send("orders",
					MessageBuilder.withPayload(event.getBytes(StandardCharsets.UTF_8))
						.setHeader("partitionKey", key)
						.build());
	}

}
