package com.pakaura.binder.dapr;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.messaging.support.MessageBuilder;

import com.pakaura.binder.dapr.FakeDaprSidecar.BulkRequest;
import com.pakaura.binder.dapr.FakeDaprSidecar.Delivered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bulk publishing against each supported sidecar version: which route, what happens to
 * the entries daprd lists in {@code failedEntries}, and every way the binder falls back
 * to one request per event without losing or counting anything twice.
 */
@ExtendWith(OutputCaptureExtension.class)
class DaprBulkPublishTest extends WithFreshSidecarEachTest {

	private static final Duration PATIENCE = Duration.ofSeconds(60);

	@ParameterizedTest
	@EnumSource(DaprVersion.class)
	void eachVersionGetsItsBulkRouteAndEveryKeyKeepsItsOrder(DaprVersion version, CapturedOutput output)
			throws Exception {
		this.sidecar.version(version).latency(Duration.ZERO, Duration.ofMillis(5));
		int keys = 30;
		int eventsPerKey = 10;
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port())) {
			sendConcurrently(app, keys, eventsPerKey);
			await().atMost(PATIENCE).until(() -> app.published("success") == keys * eventsPerKey);
		}
		String route = (version == DaprVersion.V1_16) ? "/v1.0-alpha1/publish/bulk/" : "/v1.0/publish/bulk/";
		assertThat(this.sidecar.bulkRequests()).isNotEmpty()
			.allSatisfy((request) -> assertThat(request.path()).startsWith(route + "pubsub-kafka/"))
			.anySatisfy((request) -> assertThat(request.entries()).isGreaterThan(1));
		assertThat(this.sidecar.requests()).allSatisfy((request) -> assertThat(request.path()).startsWith(route));
		assertInOrderOnceEach(keys, eventsPerKey);
		// never two events of one key in one request, nor in two requests at once
		assertThat(this.sidecar.bulkRequests()).allSatisfy(
				(request) -> assertThat(request.partitionKeys()).as("keys of one request").doesNotHaveDuplicates());
		assertThat(this.sidecar.maxConcurrentPerKey()).isEqualTo(1);
		assertThat(output.getOut()).contains("Dapr sidecar " + version.runtimeVersion() + ": publishing through bulk"
				+ " requests (" + route + "{pubsub}/{topic})");
	}

	@ParameterizedTest
	@EnumSource(DaprVersion.class)
	void entriesInFailedEntriesAreRetriedBeforeTheirKeysNextEventAndNoneIsLostOrCountedTwice(DaprVersion version)
			throws Exception {
		// the broker fails the first attempt of every third event of each key, while the
		// senders go on; the first request, answered after 100 ms, lets the others queue.
		// Which third depends on the key too: a request carrying the same event of many
		// keys gets some entries failed and the others published
		this.sidecar.version(version)
			.latency(Duration.ofMillis(100), Duration.ofMillis(100))
			.failFirstAttempt((id) -> id.startsWith("key-") && keyPlusEvent(id) % 3 == 1);
		int keys = 20;
		int eventsPerKey = 15;
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"spring.cloud.stream.dapr.binder.timeout=60s")) {
			app.streamBridge().send("orders", event("first", 0));
			sendConcurrently(app, keys, eventsPerKey);
			await().atMost(PATIENCE).until(() -> app.published("success") == keys * eventsPerKey + 1);
			assertThat(app.published("http_error")).isZero();
		}
		assertThat(this.sidecar.bulkRequests()).anySatisfy((request) -> {
			assertThat(request.status()).isEqualTo(500);
			assertThat(request.failedEntries()).isNotEmpty().hasSizeLessThan(request.entries());
		});
		assertInOrderOnceEach(keys, eventsPerKey);
		assertThat(this.sidecar.maxConcurrentPerKey()).isEqualTo(1);
	}

	@Test
	void aFailedEntryThatRunsOutOfTimeIsCountedAsItsFailureAndItsKeyGoesOn() {
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"spring.cloud.stream.dapr.binder.timeout=200ms")) {
			this.sidecar.failNextPublishes(1000);
			app.streamBridge().send("orders", event("k", 0));
			await().atMost(PATIENCE).until(() -> app.published("http_error") == 1);
			this.sidecar.failNextPublishes(0);
			app.streamBridge().send("orders", event("k", 1));
			await().atMost(PATIENCE).until(() -> app.published("success") == 1);
		}
		assertThat(this.sidecar.delivered()).extracting((event) -> event.event().get("n").intValue())
			.containsExactly(1);
	}

	@Test
	void anEntryTooLargeForTheBrokerFailsAloneAndItsNeighboursArePublished() {
		this.sidecar.brokerMaxMessageBytes(1000).latency(Duration.ofMillis(500), Duration.ofMillis(500));
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port())) {
			// the first request is under way while the next three queue, and leave
			// together
			app.streamBridge().send("orders", event("a", 0));
			await().atMost(PATIENCE).until(() -> app.meters().get("dapr.publish.in.flight").gauge().value() == 1);
			app.streamBridge().send("orders", event("b", 0));
			app.streamBridge()
				.send("orders",
						MessageBuilder
							.withPayload(("{\"id\":\"big\",\"n\":0,\"pad\":\"" + "x".repeat(2000) + "\"}")
								.getBytes(StandardCharsets.UTF_8))
							.setHeader("partitionKey", "c")
							.build());
			app.streamBridge().send("orders", event("d", 0));
			await().atMost(PATIENCE).until(() -> app.published("success") == 3 && app.published("too_large") == 1);
			assertThat(app.published("http_error")).isZero();
		}
		assertThat(this.sidecar.bulkRequests()).anySatisfy((request) -> {
			assertThat(request.entries()).isEqualTo(3);
			assertThat(request.failedEntries()).hasSize(1);
		});
		assertThat(this.sidecar.delivered()).extracting(Delivered::key).containsExactlyInAnyOrder("a", "b", "d");
	}

	@Test
	void anEventDaprdCannotDecodeGoesAloneAndDoesNotTakeItsNeighboursWithIt() {
		this.sidecar.latency(Duration.ofMillis(200), Duration.ofMillis(200));
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port())) {
			app.streamBridge().send("orders", event("a", 0));
			app.streamBridge()
				.send("orders",
						MessageBuilder.withPayload("not json".getBytes(StandardCharsets.UTF_8))
							.setHeader("partitionKey", "b")
							.build());
			app.streamBridge().send("orders", event("c", 0));
			app.streamBridge().send("orders", event("a", 1));
			await().atMost(PATIENCE).until(() -> app.published("success") == 3 && app.published("http_error") == 1);
		}
		// the request that carried it was refused whole; it then went alone, as a single
		// publish, which daprd refuses as no CloudEvent, and the others went again
		assertThat(this.sidecar.bulkRequests()).anySatisfy((request) -> {
			assertThat(request.status()).isEqualTo(400);
			assertThat(request.errorCode()).isEqualTo("ERR_PUBSUB_EVENTS_SER");
		});
		assertThat(this.sidecar.requests()).anySatisfy((request) -> {
			assertThat(request.path()).isEqualTo("/v1.0/publish/pubsub-kafka/orders?metadata.partitionKey=b");
			assertThat(request.errorCode()).isEqualTo("ERR_PUBSUB_CLOUD_EVENTS_SER");
		});
		assertThat(this.sidecar.delivered()).extracting((event) -> event.key() + event.event().get("n").intValue())
			.containsExactlyInAnyOrder("a0", "c0", "a1");
	}

	/**
	 * A request takes its entries when it leaves, not when its turn comes: events that
	 * became ready while the binder's thread was still busy with the answer before go in
	 * one request, rather than the first alone and the rest after its answer. The thread
	 * is held here in the first event's confirmation, which it completes.
	 */
	@Test
	void aRequestTakesEveryEventReadyWhenItLeaves() throws Exception {
		CountDownLatch holding = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		CompletableFuture<DaprPublishResult> confirmation = new CompletableFuture<>();
		confirmation.thenRun(() -> {
			holding.countDown();
			try {
				release.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"spring.cloud.stream.dapr.bindings.orders.producer.use-confirm-header=true")) {
			app.streamBridge()
				.send("orders",
						MessageBuilder.fromMessage(event("first", 0))
							.setHeader(DaprPublishResult.CONFIRMATION_HEADER, confirmation)
							.build());
			assertThat(holding.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
			app.streamBridge().send("orders", event("a", 0));
			app.streamBridge().send("orders", event("b", 0));
			release.countDown();
			await().atMost(PATIENCE).until(() -> app.published("success") == 3);
		}
		assertThat(this.sidecar.bulkRequests()).extracting(BulkRequest::entries).containsExactly(1, 2);
	}

	@Test
	void aSidecarThatStalledAndRecoveredGetsTrafficAgainBeforeTheStalledRequestTimesOut() {
		this.sidecar.stall(true);
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"spring.cloud.stream.dapr.binder.response-timeout=300s")) {
			app.streamBridge().send("orders", event("stuck", 0));
			await().atMost(PATIENCE).until(() -> this.sidecar.bulkRequests().size() == 1);
			this.sidecar.stall(false);
			app.streamBridge().send("orders", event("fresh", 0));
			app.streamBridge().send("orders", event("stuck", 1));
			// far sooner than the stalled request's 300 s: the other key went beside it
			await().atMost(PATIENCE).until(() -> app.published("success") == 1);
			assertThat(this.sidecar.delivered()).extracting(Delivered::key).containsExactly("fresh");
			// the stalled key's next event still waits behind its first: no outcome yet
			assertThat(app.published("unknown")).isZero();
			assertThat(this.sidecar.requests()).extracting((request) -> request.bodyText())
				.noneMatch((body) -> body.contains("stuck-1"));
		}
	}

	@Test
	void aSidecarWithoutBulkRoutesGetsOneRequestPerEventAndLosesNothing(CapturedOutput output) throws Exception {
		this.sidecar.bulkRoutes(false);
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port())) {
			sendConcurrently(app, 5, 10);
			await().atMost(PATIENCE).until(() -> app.published("success") == 50);
			assertThat(app.published("http_error") + app.published("unknown")).isZero();
		}
		// the first request found no route, and went again on the next: stable, alpha,
		// single
		assertThat(this.sidecar.bulkRequests()).extracting(BulkRequest::status).containsOnly(404);
		assertThat(this.sidecar.bulkRequests()).hasSizeLessThanOrEqualTo(2);
		assertInOrderOnceEach(5, 10);
		assertThat(output.getOut()).contains("publishing through one request per event");
	}

	@Test
	void aSidecarWhoseMetadataFailsGetsOneRequestPerEvent(CapturedOutput output) throws Exception {
		this.sidecar.metadataStatus(500);
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port())) {
			sendConcurrently(app, 5, 4);
			await().atMost(PATIENCE).until(() -> app.published("success") == 20);
		}
		assertThat(this.sidecar.bulkRequests()).isEmpty();
		assertThat(this.sidecar.requests()).hasSize(20)
			.allSatisfy((request) -> assertThat(request.path()).startsWith("/v1.0/publish/pubsub-kafka/orders?"));
		assertThat(output.getOut()).contains("Dapr sidecar has no usable /v1.0/metadata");
	}

	@Test
	void aBacklogLargerThanTheSidecarsBodyLimitIsSplitNeverRefused() throws Exception {
		long limit = 16 * 1024;
		this.sidecar.maxBodySize(limit).latency(Duration.ofMillis(100), Duration.ofMillis(100));
		int keys = 60;
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"spring.cloud.stream.dapr.binder.sidecar-max-body-size=" + limit + "B")) {
			String pad = "p".repeat(900);
			app.streamBridge().send("orders", event("first", 0));
			for (int key = 0; key < keys; key++) {
				app.streamBridge()
					.send("orders",
							MessageBuilder
								.withPayload(("{\"id\":\"" + key + "\",\"n\":0,\"pad\":\"" + pad + "\"}")
									.getBytes(StandardCharsets.UTF_8))
								.setHeader("partitionKey", "k" + key)
								.build());
			}
			await().atMost(PATIENCE).until(() -> app.published("success") == keys + 1);
		}
		assertThat(this.sidecar.bulkRequests()).hasSizeGreaterThan(2)
			.allSatisfy((request) -> assertThat(request.status()).isEqualTo(204))
			.allSatisfy((request) -> assertThat((long) request.body().length).isLessThanOrEqualTo(limit));
	}

	@Test
	void offByPropertyEveryEventIsItsOwnRequestWithoutAskingForMetadata(CapturedOutput output) throws Exception {
		try (DaprBinderApplication app = DaprBinderApplication.start(this.sidecar.port(),
				"spring.cloud.stream.dapr.binder.bulk-publish=false")) {
			sendConcurrently(app, 3, 3);
			await().atMost(PATIENCE).until(() -> app.published("success") == 9);
		}
		assertThat(this.sidecar.bulkRequests()).isEmpty();
		assertThat(output.getOut()).contains("Dapr bulk publishing is off");
	}

	/** Key and event number added, of an id {@code key-<key>-<n>}. */
	private static int keyPlusEvent(String id) {
		String[] keyAndEvent = id.substring("key-".length()).split("-");
		return Integer.parseInt(keyAndEvent[0]) + Integer.parseInt(keyAndEvent[1]);
	}

	private void sendConcurrently(DaprBinderApplication app, int keys, int eventsPerKey) throws Exception {
		int threads = 4;
		ExecutorService senders = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> sending = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int thread = t;
				// each key belongs to one thread, so "the order it was sent in" is
				// defined
				sending.add(senders.submit(() -> {
					for (int n = 0; n < eventsPerKey; n++) {
						for (int key = thread; key < keys; key += threads) {
							app.streamBridge().send("orders", event("key-" + key, n));
						}
					}
				}));
			}
			for (Future<?> future : sending) {
				future.get();
			}
		}
		finally {
			senders.shutdown();
		}
	}

	private void assertInOrderOnceEach(int keys, int eventsPerKey) {
		Map<String, List<Integer>> byKey = this.sidecar.delivered()
			.stream()
			.filter((event) -> event.key().startsWith("key-"))
			.collect(Collectors.groupingBy(Delivered::key,
					Collectors.mapping((event) -> event.event().get("n").intValue(), Collectors.toList())));
		assertThat(byKey).hasSize(keys)
			.allSatisfy((key, order) -> assertThat(order).as(key)
				.containsExactlyElementsOf(IntStream.range(0, eventsPerKey).boxed().toList()));
	}

	private static org.springframework.messaging.Message<byte[]> event(String key, int n) {
		return MessageBuilder
			.withPayload(JsonMapper.builder()
				.build()
				.writeValueAsBytes(Map.of("specversion", "1.0", "id", key + "-" + n, "source", "test", "type", "t",
						"traceid", "c", "n", n)))
			.setHeader("partitionKey", key)
			.build();
	}

}
