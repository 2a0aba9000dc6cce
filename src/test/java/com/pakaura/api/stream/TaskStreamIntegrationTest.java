package com.pakaura.api.stream;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.stream.binder.BinderFactory;
import org.springframework.cloud.stream.binding.BindingsLifecycleController;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.messaging.MessageChannel;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.api.PakauraApplication;
import com.pakaura.api.support.LiveStreamClient;
import com.pakaura.api.support.ServiceTest;
import com.pakaura.api.support.TestDatabaseConfiguration;
import com.pakaura.api.support.Tokens;
import com.pakaura.api.support.UserSession;
import com.pakaura.binder.dapr.DaprMessageChannelBinder;
import com.pakaura.binder.dapr.FakeDaprSidecar;
import com.pakaura.binder.dapr.FakeDaprSubscriber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * The live stream end to end: a change is published through the dapr binder to the fake
 * sidecar, which delivers it, as daprd does, to the subscription the application
 * announced for {@code taskUpdates-in-0}; the consumer binding hands it to the streams of
 * the task's user.
 */
@ServiceTest
class TaskStreamIntegrationTest {

	private static final String APP_TOKEN = "sidecar-to-app-token";

	@RegisterExtension
	static final FakeDaprSidecar SIDECAR = FakeDaprSidecar.start();

	@DynamicPropertySource
	static void sidecar(DynamicPropertyRegistry properties) {
		properties.add("DAPR_ENABLED", () -> "true");
		properties.add("DAPR_HTTP_PORT", SIDECAR::port);
		properties.add("APP_API_TOKEN", () -> APP_TOKEN);
	}

	@LocalServerPort
	private int port;

	@Autowired
	private WebTestClient http;

	@Autowired
	private MeterRegistry meters;

	@BeforeEach
	void theSidecarSubscribesAsDaprdDoesAtStart() {
		SIDECAR.reset();
		SIDECAR.pubsubs("pubsub-kafka", "pubsub-kafka-broadcast").subscribeApp(this.port, APP_TOKEN);
	}

	@Test
	void theApplicationAnnouncesOneSubscriptionPerInputBindingAndOnlyToItsSidecar() {
		assertThat(SIDECAR.subscriptions()).singleElement().satisfies((subscription) -> {
			assertThat(subscription.pubsubname()).isEqualTo("pubsub-kafka-broadcast");
			assertThat(subscription.topic()).isEqualTo("task-updates");
			assertThat(subscription.route()).isEqualTo("/dapr/subscriptions/taskUpdates-in-0");
		});
		this.http.get().uri("/dapr/subscribe").exchange().expectStatus().isUnauthorized();
		this.http.post()
			.uri("/dapr/subscriptions/taskUpdates-in-0")
			.contentType(MediaType.parseMediaType("application/cloudevents+json"))
			.bodyValue("{}")
			.exchange()
			.expectStatus()
			.isUnauthorized();
	}

	@Test
	void eachUserSeesExactlyTheirOwnChangesInOrder() {
		UserSession alice = new UserSession(this.http);
		UserSession bob = new UserSession(this.http);
		List<ServerSentEvent<String>> aliceSees = new CopyOnWriteArrayList<>();
		List<ServerSentEvent<String>> bobSees = new CopyOnWriteArrayList<>();
		Disposable aliceStream = watch(alice.userId(), null, aliceSees);
		Disposable bobStream = watch(bob.userId(), null, bobSees);
		try {
			String aliceTask = alice.createTask("Alice's");
			alice.post().uri("/api/tasks/{id}/complete", aliceTask).exchange().expectStatus().isOk();
			String bobTask = bob.createTask("Bob's");
			alice.delete().uri("/api/tasks/{id}", aliceTask).exchange().expectStatus().isNoContent();
			// the chatbot's tools publish the same events
			bob.post()
				.uri("/mcp")
				.contentType(MediaType.APPLICATION_JSON)
				.accept(MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM)
				.bodyValue(
						"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"complete_task\","
								+ "\"arguments\":{\"task_id\":\"" + bobTask + "\"}}}")
				.exchange()
				.expectStatus()
				.isOk();

			await().until(() -> aliceSees.size() == 3 && bobSees.size() == 2);
			assertThat(aliceSees).extracting(ServerSentEvent::event).containsOnly("sync.task");
			assertThat(aliceSees).extracting((event) -> action(event))
				.containsExactly("created", "completed", "deleted");
			assertThat(aliceSees)
				.allSatisfy((event) -> assertThat(event.data()).contains(aliceTask).doesNotContain(bobTask));
			assertThat(bobSees).extracting((event) -> action(event)).containsExactly("created", "completed");
			assertThat(bobSees).allSatisfy((event) -> assertThat(event.data()).contains(bobTask));
			assertThat(aliceSees.get(0).id()).isNotBlank();
		}
		finally {
			aliceStream.dispose();
			bobStream.dispose();
		}
	}

	@Test
	void aReconnectingClientGetsWhatItMissedThroughLastEventId() {
		UserSession carol = new UserSession(this.http);
		List<ServerSentEvent<String>> first = new CopyOnWriteArrayList<>();
		Disposable stream = watch(carol.userId(), null, first);
		String task = carol.createTask("Carol's");
		await().until(() -> first.size() == 1);
		stream.dispose();

		carol.patch()
			.uri("/api/tasks/{id}", task)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"title\":\"Renamed\"}")
			.exchange()
			.expectStatus()
			.isOk();
		await().until(() -> SIDECAR.appDeliveries().size() >= 2);

		List<ServerSentEvent<String>> resumed = new CopyOnWriteArrayList<>();
		Disposable again = watch(carol.userId(), first.get(0).id(), resumed);
		try {
			await().until(() -> resumed.size() == 1);
			assertThat(action(resumed.get(0))).isEqualTo("updated");
		}
		finally {
			again.dispose();
		}
	}

	/**
	 * Two replicas on one broker, one database: the live stream's component has a
	 * consumer group per pod (the chart's {@code consumerGroup: "{podName}"}), so a
	 * change made on one replica reaches a stream opened on the other. On the shared
	 * component ({@code pubsub-kafka}, one group) only one replica would get it.
	 */
	@Test
	void aChangeMadeOnOneReplicaReachesAStreamOpenedOnTheOther() {
		SIDECAR.groupPerApp("pubsub-kafka-broadcast");
		try (ConfigurableApplicationContext peer = new SpringApplicationBuilder(PakauraApplication.class,
				TestDatabaseConfiguration.class)
			.run("--server.port=0", "--spring.main.banner-mode=off", "--pakaura.auth.jwt-secret=" + Tokens.SECRET,
					"--DAPR_ENABLED=true", "--DAPR_HTTP_PORT=" + SIDECAR.port(), "--APP_API_TOKEN=" + APP_TOKEN)) {
			int peerPort = peer.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
			SIDECAR.subscribeApp(peerPort, APP_TOKEN);
			UserSession dana = new UserSession(this.http);
			List<ServerSentEvent<String>> onThis = new CopyOnWriteArrayList<>();
			List<ServerSentEvent<String>> onPeer = new CopyOnWriteArrayList<>();
			Disposable thisStream = watch(dana.userId(), null, onThis);
			Disposable peerStream = LiveStreamClient.watch(peerPort, peer.getBean(MeterRegistry.class), dana.userId(),
					null, onPeer);
			try {
				String task = dana.createTask("Made on the first replica");

				await().until(() -> onThis.size() == 1 && onPeer.size() == 1);
				assertThat(onPeer.get(0).data()).contains(task).contains(dana.userId());
				assertThat(onPeer.get(0).id()).isEqualTo(onThis.get(0).id());
				assertThat(SIDECAR.appDeliveries()).extracting(FakeDaprSubscriber.AppDelivery::appPort)
					.containsExactlyInAnyOrder(this.port, peerPort);
			}
			finally {
				thisStream.dispose();
				peerStream.dispose();
			}
		}
	}

	/**
	 * A binding paused through Spring Cloud Stream (as {@code /actuator/bindings} does)
	 * takes nothing: daprd's deliveries get RETRY and none reaches a stream. Resumed, it
	 * takes the next.
	 */
	@Test
	void aPausedBindingTakesNothingUntilItIsResumed(@Autowired BindingsLifecycleController bindings) {
		UserSession dave = new UserSession(this.http);
		List<ServerSentEvent<String>> seen = new CopyOnWriteArrayList<>();
		Disposable stream = watch(dave.userId(), null, seen);
		try {
			bindings.changeState("taskUpdates-in-0", BindingsLifecycleController.State.PAUSED);
			int before = SIDECAR.appDeliveries().size();
			dave.createTask("While paused");
			await().until(() -> SIDECAR.appDeliveries().size() > before);
			assertThat(SIDECAR.appDeliveries().subList(before, SIDECAR.appDeliveries().size()))
				.extracting(FakeDaprSubscriber.AppDelivery::answer)
				.containsOnly("RETRY");
			assertThat(seen).isEmpty();

			bindings.changeState("taskUpdates-in-0", BindingsLifecycleController.State.RESUMED);
			String resumed = dave.createTask("Resumed");
			await().until(() -> seen.stream().anyMatch((event) -> event.data().contains(resumed)));
		}
		finally {
			bindings.changeState("taskUpdates-in-0", BindingsLifecycleController.State.RESUMED);
			stream.dispose();
		}
	}

	/**
	 * A delivery is taken up to the binder's max-body-size (1 MB), what it lets the
	 * service publish, though the API refuses bodies over 64 KiB; a larger one is
	 * answered DROP, which daprd dead-letters, where a 413 would be redelivered for ever.
	 */
	@Test
	void aDeliveryIsTakenUpToTheBindersBodyLimitAndDroppedPastIt() {
		int before = SIDECAR.appDeliveries().size();
		SIDECAR.deliverToApp("pubsub-kafka-broadcast", "task-updates", syncTaskOf(100 * 1024));
		SIDECAR.deliverToApp("pubsub-kafka-broadcast", "task-updates", syncTaskOf(1_100_000));
		await().until(() -> SIDECAR.appDeliveries().size() == before + 2);
		assertThat(SIDECAR.appDeliveries().subList(before, before + 2))
			.extracting(FakeDaprSubscriber.AppDelivery::status, FakeDaprSubscriber.AppDelivery::answer)
			.containsExactly(tuple(200, "SUCCESS"), tuple(200, "DROP"));
	}

	private static byte[] syncTaskOf(int bytes) {
		String task = UUID.randomUUID().toString();
		String event = "{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID()
				+ "\",\"source\":\"pakaura/api\",\"type\":\"sync.task\",\"subject\":\"" + task
				+ "\",\"datacontenttype\":\"application/json\",\"sequence\":\"00000000000000000001\",\"data\":{"
				+ "\"task_id\":\"" + task + "\",\"user_id\":\"nobody\",\"action\":\"created\","
				+ "\"timestamp\":\"2026-12-06T00:00:00Z\",\"note\":\"" + "x".repeat(bytes) + "\"}}";
		return event.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * A live update the stream cannot take is answered DROP once its attempts are spent:
	 * the broadcast component has no dead-letter topic, so a RETRY would hold the pod's
	 * partition for ever.
	 */
	@Test
	void theLiveStreamsBindingDropsWhatItCannotTake(@Autowired BinderFactory binders) {
		DaprMessageChannelBinder binder = (DaprMessageChannelBinder) binders.getBinder("dapr", MessageChannel.class);
		assertThat(binder.getExtendedConsumerProperties("taskUpdates-in-0").isDropWhenExhausted()).isTrue();
	}

	@Test
	void aMessageThatIsNoTaskUpdateIsDroppedNotRetried() {
		SIDECAR.deliverToApp("pubsub-kafka-broadcast", "task-updates",
				"not a cloud event".getBytes(StandardCharsets.UTF_8));
		SIDECAR.deliverToApp("pubsub-kafka-broadcast", "task-updates",
				"{\"specversion\":\"1.0\",\"id\":\"x-1\",\"source\":\"s\",\"type\":\"other.thing\",\"data\":{}}"
					.getBytes(StandardCharsets.UTF_8));
		await().until(() -> SIDECAR.appDeliveries().size() == 2);
		assertThat(SIDECAR.appDeliveries()).extracting(FakeDaprSubscriber.AppDelivery::answer)
			.containsExactly("DROP", "DROP");
	}

	private Disposable watch(String userId, @Nullable String lastEventId, List<ServerSentEvent<String>> into) {
		return LiveStreamClient.watch(this.port, this.meters, userId, lastEventId, into);
	}

	@SuppressWarnings("unchecked")
	private static String action(ServerSentEvent<String> event) {
		return (String) tools.jackson.databind.json.JsonMapper.builder()
			.build()
			.readValue(event.data(), Map.class)
			.get("action");
	}

}
