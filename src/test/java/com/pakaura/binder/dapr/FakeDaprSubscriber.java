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

	private volatile List<Subscription> subscriptions = List.of();

	private volatile @Nullable String appToken;

	private volatile int appPort;

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

	/**
	 * One delivery and the application's answer.
	 *
	 * @param status the HTTP status; 0 when the call failed
	 * @param answer the {@code status} of the body; "" when there was none
	 * @param outcome what daprd makes of it: {@code ack}, {@code retry}, {@code drop},
	 * {@code dead-letter}
	 */
	public record AppDelivery(String route, String eventId, int status, String answer, String outcome) {

	}

	void subscribe(int port, @Nullable String token, Set<String> components) {
		this.appPort = port;
		this.appToken = token;
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/dapr/subscribe"))
			.header("dapr-app-id", FakeDaprSidecar.APP_ID)
			.timeout(Duration.ofSeconds(30));
		if (token != null) {
			request.header("dapr-api-token", token);
		}
		try {
			HttpResponse<String> response = this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() == 404) {
				this.subscriptions = List.of();
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
			this.subscriptions = List.copyOf(found);
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** The subscriptions the application announced. */
	public List<Subscription> subscriptions() {
		return this.subscriptions;
	}

	List<AppDelivery> deliveries() {
		return List.copyOf(this.answered);
	}

	void offer(Delivered published) {
		for (Subscription subscription : this.subscriptions) {
			if (subscription.topic().equals(published.topic())) {
				long offset = this.offsets.getAndIncrement();
				this.deliveries.execute(() -> deliver(subscription, published, offset));
			}
		}
	}

	private void deliver(Subscription subscription, Delivered published, long offset) {
		String eventId = published.event().path("id").isString() ? published.event().path("id").stringValue() : "";
		for (int attempt = 1; !this.closed; attempt++) {
			boolean lastAttempt = subscription.deadLetterTopic() != null && attempt > this.resiliencyRetries;
			String outcome = post(subscription, published, offset, eventId, lastAttempt);
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

	private String post(Subscription subscription, Delivered published, long offset, String eventId,
			boolean lastAttempt) {
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.appPort + subscription.route()))
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
		if (this.appToken != null) {
			request.header("dapr-api-token", this.appToken);
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
		this.answered.add(new AppDelivery(subscription.route(), eventId, status, answer, outcome));
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
