package com.pakaura.binder.dapr;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import com.pakaura.binder.dapr.FakeDaprSidecar.Delivered;

/**
 * The subscriber half of the fake sidecar, as daprd 1.16-1.18 does it with its Kafka
 * component (not modelled: from 1.17.2 messages are held at shutdown):
 * <ul>
 * <li>at start {@code GET /dapr/subscribe} with a {@code dapr-app-id} header (dapr
 * pkg/runtime/pubsub/subscriptions.go {@code GetSubscriptionsHTTP}); 404 means none; the
 * v2alpha1 {@code routes.default} wins over {@code route};</li>
 * <li>each message of a subscribed topic is POSTed to its route, one at a time per
 * subscription (a Kafka partition is consumed in order), with
 * {@code Content-Type: application/cloudevents+json}, the broker's bytes verbatim, and
 * the record's metadata as headers ({@code __key}, {@code __topic}, {@code __partition},
 * {@code __offset}, {@code pubsubName}) (dapr pkg/messaging/... postman/http/http.go
 * {@code Deliver});</li>
 * <li>the answer (dapr v1.18.3 pkg/runtime/subscription/postman/http/http.go
 * {@code Deliver}): 2xx with an empty or unreadable body, {@code SUCCESS} or {@code ""}
 * acknowledges; {@code DROP} drops, into the dead-letter topic when the subscription
 * names one; 404 drops, on 1.16 without the dead-letter topic, from 1.17.0 into it
 * (dapr/dapr#9421);</li>
 * <li>{@code RETRY}, any other status string, any other HTTP status or a failed call is
 * an error (subscription.go): with a dead-letter topic the message goes there at once, or
 * after {@link #resiliencyRetries} more attempts where a Resiliency policy retries the
 * component's inbound calls; without one the Kafka component redelivers it after its
 * constant 5 s backoff, for ever ({@code consumeRetryEnabled}, contrib
 * pubsub/kafka/kafka.go, common/component/kafka/consumer.go, dapr/kit retry), here every
 * {@link #redeliveryInterval}, and the subscription's later messages wait behind it.</li>
 * <li>several applications (replicas, each behind its own daprd in a cluster) share the
 * broker: a component whose {@code consumerGroup} is {@code {podName}} gives each of them
 * every message; on any other the group is shared, and Kafka gives each partition, so
 * each key's messages, to one member.</li>
 * </ul>
 */
public final class FakeDaprSubscriber implements AutoCloseable {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private final ExecutorService deliveries = Executors.newSingleThreadExecutor((task) -> {
		Thread thread = new Thread(task, "fake-dapr-subscriber");
		thread.setDaemon(true);
		return thread;
	});

	private final List<AppDelivery> answered = new CopyOnWriteArrayList<>();

	private final AtomicLong offsets = new AtomicLong();

	/** The applications subscribed, each with its own subscriptions, in order. */
	private volatile List<App> apps = List.of();

	/**
	 * Components whose Kafka consumer group is each pod's own ({@code consumerGroup:
	 * "{podName}"}): every application gets each message. On the others the applications
	 * share one group, and each message goes to one of them.
	 */
	private volatile Set<String> groupPerApp = Set.of();

	private final Supplier<DaprVersion> version;

	/** daprd's 5 s between redeliveries, scaled for tests. */
	private volatile Duration redeliveryInterval = Duration.ofMillis(100);

	private volatile int resiliencyRetries;

	private volatile boolean closed;

	FakeDaprSubscriber(Supplier<DaprVersion> version) {
		this.version = version;
	}

	/** How long the fake waits before it redelivers a message that failed. */
	void redeliveryInterval(Duration interval) {
		this.redeliveryInterval = interval;
	}

	/**
	 * More attempts before a failed message goes to the dead-letter topic, as a
	 * Resiliency retry policy on the component's inbound calls would make (0: none,
	 * daprd's default).
	 */
	void resiliencyRetries(int retries) {
		this.resiliencyRetries = retries;
	}

	/** One subscription as the application announced it. */
	public record Subscription(String pubsubname, String topic, String route, @Nullable String deadLetterTopic) {

	}

	/** An application, as the sidecar reaches it, and what it subscribed to. */
	private record App(int port, @Nullable String token, List<Subscription> subscriptions) {

	}

	void groupPerApp(Set<String> components) {
		this.groupPerApp = Set.copyOf(components);
	}

	/**
	 * Forgets every application, its subscriptions and the deliveries so far, and gives
	 * every component one shared group.
	 */
	void reset() {
		this.apps = List.of();
		this.groupPerApp = Set.of();
		this.answered.clear();
	}

	/**
	 * One delivery and the application's answer.
	 *
	 * @param appPort the port of the application it went to
	 * @param status the HTTP status; 0 when the call failed
	 * @param answer the {@code status} of the body; "" when there was none
	 * @param outcome what daprd makes of it: {@code ack}, {@code retry}, {@code drop},
	 * {@code dead-letter}
	 */
	public record AppDelivery(int appPort, String route, String eventId, int status, String answer, String outcome) {

	}

	/**
	 * Asks the application at this port for its subscriptions, replacing what an
	 * application at that port announced before; another port adds an application, as a
	 * second replica on the same broker would be.
	 */
	void subscribe(int port, @Nullable String token, Set<String> components) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/dapr/subscribe"))
			.header("dapr-app-id", FakeDaprSidecar.APP_ID)
			.timeout(Duration.ofSeconds(30));
		if (token != null) {
			request.header("dapr-api-token", token);
		}
		try {
			HttpResponse<String> response = this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() == 404) {
				replaceApp(new App(port, token, List.of()));
				return;
			}
			if (response.statusCode() != 200) {
				throw new IllegalStateException(
						"daprd would log an error: /dapr/subscribe answered " + response.statusCode());
			}
			List<Subscription> found = new ArrayList<>();
			for (JsonNode entry : JSON.readTree(response.body())) {
				String route = entry.path("routes").path("default").isString()
						? entry.path("routes").path("default").stringValue() : entry.path("route").stringValue();
				if (route == null || route.isEmpty() || !components.contains(entry.path("pubsubname").stringValue())) {
					continue;
				}
				found.add(new Subscription(entry.path("pubsubname").stringValue(), entry.path("topic").stringValue(),
						route,
						entry.path("deadLetterTopic").isString() ? entry.path("deadLetterTopic").stringValue() : null));
			}
			replaceApp(new App(port, token, List.copyOf(found)));
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private synchronized void replaceApp(App app) {
		List<App> others = new ArrayList<>(this.apps.stream().filter((known) -> known.port() != app.port()).toList());
		others.add(app);
		this.apps = List.copyOf(others);
	}

	/** The subscriptions the first application announced. */
	public List<Subscription> subscriptions() {
		List<App> known = this.apps;
		return known.isEmpty() ? List.of() : known.get(0).subscriptions();
	}

	List<AppDelivery> deliveries() {
		return List.copyOf(this.answered);
	}

	/**
	 * Each subscription of the message's topic gets it: on every application where its
	 * component has a consumer group per application, else on one of them, chosen by the
	 * record's key as Kafka assigns a partition to one member of a group.
	 */
	void offer(Delivered published) {
		List<App> known = this.apps;
		for (App app : known) {
			for (Subscription subscription : app.subscriptions()) {
				if (subscription.topic().equals(published.topic())
						&& (this.groupPerApp.contains(subscription.pubsubname())
								|| memberFor(published, subscription, known) == app)) {
					long offset = this.offsets.getAndIncrement();
					this.deliveries.execute(() -> deliver(app, subscription, published, offset));
				}
			}
		}
	}

	/**
	 * The member of a shared group that gets this record: the group is the applications
	 * subscribed to the topic through the component, and the key picks one.
	 */
	private static App memberFor(Delivered published, Subscription subscription, List<App> known) {
		List<App> members = known.stream()
			.filter((app) -> app.subscriptions()
				.stream()
				.anyMatch((other) -> other.pubsubname().equals(subscription.pubsubname())
						&& other.topic().equals(subscription.topic())))
			.toList();
		int member = (published.key() != null) ? Math.floorMod(published.key().hashCode(), members.size()) : 0;
		return members.get(member);
	}

	private void deliver(App app, Subscription subscription, Delivered published, long offset) {
		String eventId = published.event().path("id").isString() ? published.event().path("id").stringValue() : "";
		for (int attempt = 1; !this.closed; attempt++) {
			boolean lastAttempt = subscription.deadLetterTopic() != null && attempt > this.resiliencyRetries;
			String outcome = post(app, subscription, published, offset, eventId, lastAttempt);
			if (!outcome.equals("retry")) {
				return;
			}
			try {
				Thread.sleep(this.redeliveryInterval.toMillis());
			}
			catch (InterruptedException ex) {
				return;
			}
		}
	}

	private String post(App app, Subscription subscription, Delivered published, long offset, String eventId,
			boolean lastAttempt) {
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + app.port() + subscription.route()))
			.header("Content-Type", "application/cloudevents+json")
			.header("pubsubName", subscription.pubsubname())
			.header("__topic", published.topic())
			.header("__partition", "0")
			.header("__offset", Long.toString(offset))
			.timeout(Duration.ofSeconds(60))
			.POST(HttpRequest.BodyPublishers.ofByteArray(published.bytes()));
		if (published.key() != null) {
			request.header("__key", published.key());
		}
		for (Map.Entry<String, String> header : published.metadata().entrySet()) {
			if (!header.getKey().equals("partitionKey")) {
				request.header(header.getKey(), header.getValue());
			}
		}
		if (app.token() != null) {
			request.header("dapr-api-token", app.token());
		}
		int status = 0;
		String answer = "";
		String outcome;
		try {
			HttpResponse<String> response = this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
			status = response.statusCode();
			answer = statusOf(response.body());
			if (status == 404) {
				outcome = (subscription.deadLetterTopic() != null && this.version.get() != DaprVersion.V1_16)
						? "dead-letter" : "drop";
			}
			else if (status / 100 != 2) {
				outcome = "retry";
			}
			else if (answer.isEmpty() || answer.equals("SUCCESS")) {
				outcome = "ack";
			}
			else if (answer.equals("DROP")) {
				outcome = (subscription.deadLetterTopic() != null) ? "dead-letter" : "drop";
			}
			else {
				outcome = "retry";
			}
		}
		catch (java.io.IOException ex) {
			outcome = "retry";
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			outcome = "retry";
		}
		if (outcome.equals("retry") && lastAttempt) {
			outcome = "dead-letter";
		}
		this.answered.add(new AppDelivery(app.port(), subscription.route(), eventId, status, answer, outcome));
		return outcome;
	}

	/**
	 * The answer's {@code status}; "" for an empty or unreadable body, as daprd treats
	 * it.
	 */
	private static String statusOf(String body) {
		try {
			JsonNode json = JSON.readTree(body);
			return (json != null && json.path("status").isString()) ? json.path("status").stringValue() : "";
		}
		catch (RuntimeException ex) {
			return "";
		}
	}

	@Override
	public void close() {
		this.closed = true;
		this.deliveries.shutdownNow();
	}

}
