package com.pakaura.binder.dapr;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Predicate;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * An in-test stand-in for the Dapr sidecar's HTTP API that answers as daprd 1.16, 1.17
 * and 1.18 do ({@link #version}), each rule taken from Dapr's source at the release tags
 * (dapr/dapr v1.16.19, v1.17.13, v1.18.3; dapr/components-contrib v1.16.13, v1.18.4),
 * cited where it is modelled:
 * <ul>
 * <li>{@code POST|PUT /v1.0/publish/{pubsub}/{topic}}: the checks and answers of
 * {@link #decide}, in daprd's order; the rule table in contracts/dapr-publish-api.md,
 * which {@code DaprSidecarRulesTest} holds this class to, for each version a row
 * names.</li>
 * <li>{@code POST|PUT /v1.0-alpha1/publish/bulk/{pubsub}/{topic}} on every version, and
 * {@code /v1.0/publish/bulk/...} from 1.17 (on 1.16 that path is a single publish to the
 * pubsub {@code bulk}): {@link #bulkPublish}.</li>
 * <li>{@code GET /v1.0/metadata}: {@code runtimeVersion} and the components with their
 * capabilities.</li>
 * <li>What reaches consumers ({@link #delivered()}): a structured CloudEvent goes through
 * components-contrib {@code pubsub/envelope.go} {@code FromCloudEvent}: {@code topic} and
 * {@code pubsubname} always overwritten; {@code traceid}/{@code traceparent} kept when
 * the event has {@code traceid} (Dapr 1.12+) and otherwise set to the sidecar's span,
 * which with no tracing exporter is the incoming {@code traceparent} header ("" without
 * one); before 1.12 always overwritten; {@code time}, {@code source}, {@code type},
 * {@code specversion} defaulted only when absent; {@code expiration} added for a TTL
 * ({@code TryGetTTL}). Then Go's {@code json.Marshal} writes the bytes consumers get
 * ({@link GoJson}). A raw payload goes as it came. Every {@code metadata.*} query
 * parameter becomes a record header; {@code partitionKey} or {@code __key} the record
 * key.</li>
 * <li>{@code GET /v1.0/healthz/outbound}: 204 once ready, else 500
 * {@code ERR_OUTBOUND_HEALTH_NOT_READY} (dapr {@code pkg/api/http/healthz.go}).</li>
 * </ul>
 * Faults to inject: latency, a broker that publishes after the client left, a stall,
 * failing publishes (or failing entries of a bulk request), size limits, missing bulk
 * routes, a failing metadata call, a reset after publishing, a 500 after publishing (a
 * Resiliency timeout), an answer before reading, a sidecar that is not ready yet, and
 * daprd's own shutdown.
 */
public final class FakeDaprSidecar implements AutoCloseable, AfterAllCallback {

	public static final String APP_ID = "pakaura-api";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String CLOUDEVENTS_JSON = "application/cloudevents+json";

	/** How long {@link Fault#SLOW_BROKER} takes. */
	private static final Duration SLOW_BROKER = Duration.ofMillis(1500);

	/** Go's {@code context.DeadlineExceeded}, as a Resiliency timeout reports it. */
	private static final String RESILIENCY_TIMEOUT = "context deadline exceeded";

	private static final long DEFAULT_MAX_BODY = 4L * 1024 * 1024;

	/**
	 * Its own event loop: an application context closing disposes Reactor Netty's global
	 * one.
	 */
	private final LoopResources loops = LoopResources.create("fake-dapr", 2, true);

	private final DisposableServer server;

	private final List<Delivered> delivered = new CopyOnWriteArrayList<>();

	/**
	 * daprd's subscriber half: delivers what is published to the application's
	 * subscriptions.
	 */
	private final FakeDaprSubscriber subscriber = new FakeDaprSubscriber(() -> this.version);

	private final List<Request> requests = new CopyOnWriteArrayList<>();

	private final List<BulkRequest> bulkRequests = new CopyOnWriteArrayList<>();

	private final Map<String, AtomicInteger> concurrentPerKey = new ConcurrentHashMap<>();

	private final AtomicInteger concurrent = new AtomicInteger();

	private final AtomicInteger maxConcurrent = new AtomicInteger();

	private final AtomicInteger maxConcurrentPerKey = new AtomicInteger();

	private final AtomicInteger failuresToInject = new AtomicInteger();

	private volatile Set<String> pubsubs = Set.of("pubsub-kafka");

	private volatile Set<String> forbiddenTopics = Set.of();

	private volatile @Nullable String apiToken;

	private volatile Duration minLatency = Duration.ZERO;

	private volatile Duration maxLatency = Duration.ZERO;

	private volatile boolean stalled;

	private final List<Arrival> arrivals = new CopyOnWriteArrayList<>();

	private final List<Arrival> calls = new CopyOnWriteArrayList<>();

	private volatile boolean resetAfterPublishing;

	private final AtomicInteger timeoutsAfterWriting = new AtomicInteger();

	private volatile List<Fault> faultCycle = List.of();

	private final AtomicInteger faultedRequests = new AtomicInteger();

	private final Map<Fault, AtomicInteger> faultsApplied = new ConcurrentHashMap<>();

	private volatile boolean shuttingDown;

	private volatile boolean componentGone;

	private volatile Duration brokerDelay = Duration.ZERO;

	private volatile long maxBodySize = DEFAULT_MAX_BODY;

	private volatile long brokerMaxMessageBytes = Long.MAX_VALUE;

	private volatile int answerBeforeReading;

	private volatile boolean outboundReady = true;

	private volatile boolean legacyTraceOverwrite;

	private volatile DaprVersion version = DaprVersion.V1_18;

	private volatile boolean bulkRoutes = true;

	private volatile int metadataStatus = 200;

	private volatile Predicate<String> notACloudEvent = (type) -> false;

	private volatile Predicate<String> failFirstAttempt = (id) -> false;

	private final Set<String> attempted = ConcurrentHashMap.newKeySet();

	private FakeDaprSidecar(int port) {
		this.server = HttpServer.create()
			.runOn(this.loops)
			.host("127.0.0.1")
			.port(port)
			.route((routes) -> routes.get("/v1.0/healthz/outbound", called(this::outbound))
				.get("/v1.0/metadata", called(this::metadata))
				.post("/v1.0/shutdown", called(this::shutdownRequested))
				.post("/v1.0-alpha1/publish/bulk/{pubsub}/**", arriving(this::alphaBulkPublish))
				.put("/v1.0-alpha1/publish/bulk/{pubsub}/**", arriving(this::alphaBulkPublish))
				.post("/v1.0/publish/{pubsub}/**", arriving(this::publish))
				.put("/v1.0/publish/{pubsub}/**", arriving(this::publish)))
			.bindNow();
	}

	/**
	 * A publish route that first records the request's arrival, before any branch of a
	 * fault (a stall, a reset, a delay, an answer before reading) can keep it from being
	 * recorded as {@link #requests()} records it.
	 */
	private BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> arriving(
			BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> route) {
		return called((request, response) -> {
			this.arrivals.add(new Arrival(request.method().name(), new QueryStringDecoder(request.uri()).path()));
			return route.apply(request, response);
		});
	}

	/** A route of the sidecar's API that first records the call ({@link #calls()}). */
	private BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> called(
			BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> route) {
		return (request, response) -> {
			this.calls.add(new Arrival(request.method().name(), new QueryStringDecoder(request.uri()).path()));
			return route.apply(request, response);
		};
	}

	/** A port nothing listens on: a sidecar that is not there (yet). */
	public static int freePort() {
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	/** On a free port. */
	public static FakeDaprSidecar start() {
		return new FakeDaprSidecar(0);
	}

	/**
	 * On this port, e.g. one the application already points at while "the sidecar
	 * starts".
	 */
	public static FakeDaprSidecar startOn(int port) {
		return new FakeDaprSidecar(port);
	}

	public int port() {
		return this.server.port();
	}

	// ---- behaviour -----------------------------------------------------------------

	public FakeDaprSidecar pubsubs(String... names) {
		this.pubsubs = Set.of(names);
		return this;
	}

	/** Scopes: publishing to these topics is not allowed for this app. */
	public FakeDaprSidecar forbidTopics(String... topics) {
		this.forbiddenTopics = Set.of(topics);
		return this;
	}

	/** daprd started with {@code DAPR_API_TOKEN}. */
	public FakeDaprSidecar apiToken(@Nullable String token) {
		this.apiToken = token;
		return this;
	}

	/** Each publish answers after a random delay between the two. */
	public FakeDaprSidecar latency(Duration min, Duration max) {
		this.minLatency = min;
		this.maxLatency = max;
		return this;
	}

	/** Publishes get no answer at all (a broker that hangs, with no timeout in daprd). */
	public FakeDaprSidecar stall(boolean stalled) {
		this.stalled = stalled;
		return this;
	}

	/**
	 * The next publishes fail as a broker outage does: 500 ERR_PUBSUB_PUBLISH_MESSAGE.
	 */
	public FakeDaprSidecar failNextPublishes(int count) {
		this.failuresToInject.set(count);
		return this;
	}

	/**
	 * The component disappears between daprd's lookup and the publish: 400
	 * {@code ERR_PUBSUB_NOT_FOUND} (dapr pkg/api/errors/pubsub.go {@code TestNotFound}).
	 */
	public FakeDaprSidecar componentGone(boolean gone) {
		this.componentGone = gone;
		return this;
	}

	/**
	 * daprd's {@code --max-body-size} ({@code dapr.io/max-body-size}); 4 MiB by default.
	 */
	public FakeDaprSidecar maxBodySize(long bytes) {
		this.maxBodySize = bytes;
		return this;
	}

	/**
	 * The Kafka component's {@code maxMessageBytes} (Sarama's
	 * {@code Producer.MaxMessageBytes}, 1,000,000 when the component does not set it): a
	 * larger record fails in the producer, after daprd accepted the request. Unlimited by
	 * default here.
	 */
	public FakeDaprSidecar brokerMaxMessageBytes(long bytes) {
		this.brokerMaxMessageBytes = bytes;
		return this;
	}

	/**
	 * The broker takes this long to acknowledge each publish, and the event is published
	 * then even if the client has given up and left, as daprd's Kafka producer does: it
	 * ignores the request's context. {@link Duration#ZERO} turns it off.
	 */
	public FakeDaprSidecar brokerDelay(Duration delay) {
		this.brokerDelay = delay;
		return this;
	}

	/**
	 * Publishes each event, then resets the connection instead of answering: the client
	 * cannot know that the event went out.
	 */
	public FakeDaprSidecar resetAfterPublishing(boolean reset) {
		this.resetAfterPublishing = reset;
		return this;
	}

	/**
	 * The next requests are written to the broker and then answered 500
	 * {@code ERR_PUBSUB_PUBLISH_MESSAGE} "context deadline exceeded", as daprd answers
	 * when a Resiliency timeout on the pub/sub component's outbound fires while the
	 * publish goes on in its goroutine (dapr pkg/resiliency/policy.go); a bulk request
	 * then lists every entry in {@code failedEntries}
	 * (pkg/runtime/pubsub/bulkpublish_resiliency.go {@code ApplyBulkPublishResiliency}).
	 * A client that retries the 500 sends the event twice.
	 */
	public FakeDaprSidecar timeOutAfterWriting(int requests) {
		this.timeoutsAfterWriting.set(requests);
		return this;
	}

	/**
	 * What {@link #cycleFaults} does to one publish request.
	 */
	public enum Fault {

		/** Answered as the other settings say. */
		NONE,
		/** The broker fails it: 500 {@code ERR_PUBSUB_PUBLISH_MESSAGE} (every entry). */
		BROKER_DOWN,
		/** Published, then the connection is reset instead of an answer. */
		RESET_AFTER_PUBLISHING,
		/** The broker takes 1.5 s, and writes whether or not the client still waits. */
		SLOW_BROKER,
		/** Never answered. */
		STALL

	}

	/**
	 * From now on, the publish requests (single or bulk) in the order they arrive get
	 * these faults in turn: the n-th request the fault {@code n % faults.length}, however
	 * fast the machine is. No faults: off. {@link #faultsApplied()} counts them.
	 */
	public FakeDaprSidecar cycleFaults(Fault... faults) {
		this.faultedRequests.set(0);
		this.faultCycle = List.of(faults);
		return this;
	}

	/** How many requests each fault of {@link #cycleFaults} was applied to. */
	public Map<Fault, Integer> faultsApplied() {
		Map<Fault, Integer> applied = new EnumMap<>(Fault.class);
		this.faultsApplied.forEach((fault, count) -> applied.put(fault, count.get()));
		return applied;
	}

	private Fault nextFault() {
		List<Fault> cycle = this.faultCycle;
		if (cycle.isEmpty()) {
			return Fault.NONE;
		}
		Fault fault = cycle.get(Math.floorMod(this.faultedRequests.getAndIncrement(), cycle.size()));
		this.faultsApplied.computeIfAbsent(fault, (f) -> new AtomicInteger()).incrementAndGet();
		return fault;
	}

	/**
	 * Answers every publish with this status at once, without reading the body, and
	 * closes the connection (a proxy or a broken sidecar; daprd itself reads the whole
	 * body first). 0 turns it off.
	 */
	public FakeDaprSidecar answerBeforeReading(int status) {
		this.answerBeforeReading = status;
		return this;
	}

	public FakeDaprSidecar outboundReady(boolean ready) {
		this.outboundReady = ready;
		return this;
	}

	/**
	 * Dapr before 1.12: the event's traceid/traceparent/tracestate are always
	 * overwritten.
	 */
	public FakeDaprSidecar legacyTraceOverwrite(boolean legacy) {
		this.legacyTraceOverwrite = legacy;
		return this;
	}

	/**
	 * The daprd minor this sidecar answers as, where 1.16, 1.17 and 1.18 differ
	 * ({@link DaprVersion}); 1.18 by default.
	 */
	public FakeDaprSidecar version(DaprVersion version) {
		this.version = version;
		return this;
	}

	/**
	 * Without bulk routes: both bulk paths answer Go's {@code 404 page not found}, as a
	 * proxy or another server in front of the sidecar would.
	 */
	public FakeDaprSidecar bulkRoutes(boolean served) {
		this.bulkRoutes = served;
		return this;
	}

	/**
	 * The broker fails the first publish of each event whose CloudEvent {@code id}
	 * matches, as an outage of its partition would (500
	 * {@code ERR_PUBSUB_PUBLISH_MESSAGE}, or its entry in {@code failedEntries}); the
	 * next attempt succeeds.
	 */
	public FakeDaprSidecar failFirstAttempt(Predicate<String> eventId) {
		this.failFirstAttempt = eventId;
		return this;
	}

	/**
	 * Events of these CloudEvent types are refused as daprd refuses a body that is no
	 * CloudEvent: 500 {@code ERR_PUBSUB_CLOUD_EVENTS_SER} (in bulk, for the whole
	 * request), as if the application had sent them broken.
	 */
	public FakeDaprSidecar refuseAsNoCloudEvent(Predicate<String> eventType) {
		this.notACloudEvent = eventType;
		return this;
	}

	/** {@code GET /v1.0/metadata} answers this status, with no JSON body unless 200. */
	public FakeDaprSidecar metadataStatus(int status) {
		this.metadataStatus = status;
		return this;
	}

	// ---- observation ---------------------------------------------------------------

	/**
	 * An event as a subscriber (or a Kafka consumer) receives it.
	 *
	 * @param key the broker record key ({@code metadata.partitionKey})
	 * @param metadata every {@code metadata.*} of the publish, as the Kafka component
	 * turns them into record headers
	 * @param event the stored envelope
	 * @param bytes the record value, as a consumer reads it
	 * @param receivedAt when the broker got it
	 */
	public record Delivered(String pubsub, String topic, @Nullable String key, Map<String, String> metadata,
			JsonNode event, byte[] bytes, Instant receivedAt) {

		/** The record value as a consumer reads it. */
		public String text() {
			return new String(this.bytes, StandardCharsets.UTF_8);
		}

	}

	/**
	 * Every publish request as it arrived, whatever was answered (status 0: none, the
	 * connection was reset).
	 */
	public record Request(String method, String path, Map<String, String> query, Map<String, String> headers,
			byte[] body, int status, @Nullable String errorCode) {

		public String bodyText() {
			return new String(this.body, StandardCharsets.UTF_8);
		}

	}

	/**
	 * Every publish request as it arrived, single or bulk, whatever became of it: the
	 * record a "not sent again" check counts on.
	 */
	public List<Arrival> arrivals() {
		return List.copyOf(this.arrivals);
	}

	/**
	 * Every call of the sidecar's API as it arrived: publishes, readiness checks, the
	 * metadata, shutdown.
	 */
	public List<Arrival> calls() {
		return List.copyOf(this.calls);
	}

	/** A publish request as it arrived: its method and path. */
	public record Arrival(String method, String path) {

	}

	public List<Delivered> delivered() {
		return List.copyOf(this.delivered);
	}

	public List<Delivered> delivered(String topic) {
		return this.delivered.stream().filter((event) -> event.topic().equals(topic)).toList();
	}

	/**
	 * Every single publish as it arrived, and every entry of a bulk request as if it had
	 * been one, with the status its entry ended with.
	 */
	public List<Request> requests() {
		return List.copyOf(this.requests);
	}

	/** Every bulk request as it arrived, with its route and answer. */
	public List<BulkRequest> bulkRequests() {
		return List.copyOf(this.bulkRequests);
	}

	/**
	 * One bulk request.
	 *
	 * @param path the route it came on, e.g.
	 * {@code /v1.0/publish/bulk/pubsub-kafka/orders}
	 * @param entries how many entries it carried (0 when the body could not be read)
	 * @param status the answer; 0 for none
	 * @param failedEntries the entry ids named in {@code failedEntries}
	 */
	public record BulkRequest(String path, Map<String, String> headers, byte[] body, int entries, int status,
			@Nullable String errorCode, List<String> failedEntries) {

		/** Each entry's {@code partitionKey}, in request order. */
		public List<String> partitionKeys() {
			List<String> keys = new ArrayList<>();
			JSON.readTree(this.body)
				.forEach((entry) -> keys.add(entry.get("metadata").get("partitionKey").stringValue()));
			return keys;
		}

	}

	/** The most publish requests under way at once. */
	public int maxConcurrent() {
		return this.maxConcurrent.get();
	}

	/**
	 * The most events under way at once for one partition key of one topic (Kafka orders
	 * per partition of a topic), in single publishes and bulk entries alike.
	 */
	public int maxConcurrentPerKey() {
		return this.maxConcurrentPerKey.get();
	}

	public void reset() {
		this.subscriber.reset();
		this.arrivals.clear();
		this.calls.clear();
		this.delivered.clear();
		this.requests.clear();
		this.maxConcurrent.set(0);
		this.maxConcurrentPerKey.set(0);
		this.failuresToInject.set(0);
		this.pubsubs = Set.of("pubsub-kafka");
		this.forbiddenTopics = Set.of();
		this.apiToken = null;
		this.minLatency = Duration.ZERO;
		this.maxLatency = Duration.ZERO;
		this.stalled = false;
		this.resetAfterPublishing = false;
		this.timeoutsAfterWriting.set(0);
		this.faultCycle = List.of();
		this.faultsApplied.clear();
		this.brokerDelay = Duration.ZERO;
		this.maxBodySize = DEFAULT_MAX_BODY;
		this.brokerMaxMessageBytes = Long.MAX_VALUE;
		this.componentGone = false;
		this.answerBeforeReading = 0;
		this.outboundReady = true;
		this.legacyTraceOverwrite = false;
		this.version = DaprVersion.V1_18;
		this.bulkRoutes = true;
		this.metadataStatus = 200;
		this.notACloudEvent = (type) -> false;
		this.bulkRequests.clear();
		this.failFirstAttempt = (id) -> false;
		this.attempted.clear();
	}

	/**
	 * Also act as the application's sidecar on the subscriber side: ask the application
	 * at this port for its subscriptions, as daprd does at start, and deliver every event
	 * published from now on to the subscriptions of its topic. Another port adds another
	 * application on the same broker, a second replica ({@link #groupPerApp}).
	 */
	public FakeDaprSidecar subscribeApp(int appPort, @Nullable String appApiToken) {
		this.subscriber.subscribe(appPort, appApiToken, this.pubsubs);
		return this;
	}

	/**
	 * These components have a Kafka consumer group per application (the chart's broadcast
	 * component, {@code consumerGroup: "{podName}"}): each application subscribed gets
	 * every message. On the others the applications are one group, and each message goes
	 * to one of them.
	 */
	public FakeDaprSidecar groupPerApp(String... components) {
		this.subscriber.groupPerApp(Set.of(components));
		return this;
	}

	/** The subscriptions the first application announced, as the sidecar took them. */
	public List<FakeDaprSubscriber.Subscription> subscriptions() {
		return this.subscriber.subscriptions();
	}

	/** What the application answered to each delivery, in order. */
	public List<FakeDaprSubscriber.AppDelivery> appDeliveries() {
		return this.subscriber.deliveries();
	}

	/**
	 * Delivers this record value to the application's subscriptions of the topic, as if
	 * it had been published.
	 */
	public void deliverToApp(String pubsub, String topic, byte[] value) {
		this.subscriber
			.offer(new Delivered(pubsub, topic, null, Map.of(), JSON.createObjectNode(), value, Instant.now()));
	}

	/**
	 * daprd's own shutdown, as it starts at SIGTERM unless
	 * {@code dapr.io/block-shutdown-duration} is set (dapr pkg/api/http/server.go
	 * {@code Close}: Go's {@code srv.Shutdown}; pkg/runtime/ runtime.go {@code Run}): the
	 * listener closes, so new connections are refused; requests under way are answered,
	 * each on a connection that then closes; a kept-alive connection is not read again,
	 * so a request sent on it is never answered.
	 */
	public void shutdown() {
		this.shuttingDown = true;
		this.server.dispose();
	}

	/**
	 * A test class's sidecar, held in a {@code @RegisterExtension} static field, is
	 * closed after its last test.
	 */
	@Override
	public void afterAll(ExtensionContext context) {
		close();
	}

	@Override
	public void close() {
		this.subscriber.close();
		this.server.disposeNow(Duration.ofSeconds(1));
		this.loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
	}

	// ---- the API -------------------------------------------------------------------

	private Publisher<Void> outbound(HttpServerRequest request, HttpServerResponse response) {
		if (this.outboundReady) {
			return response.status(HttpResponseStatus.NO_CONTENT).send();
		}
		return error(response, 500, "ERR_OUTBOUND_HEALTH_NOT_READY", null, "dapr outbound is not ready");
	}

	private Publisher<Void> metadata(HttpServerRequest request, HttpServerResponse response) {
		if (this.metadataStatus != 200) {
			return response.status(this.metadataStatus).sendString(Mono.just("metadata unavailable\n")).then();
		}
		ObjectNode body = JSON.createObjectNode();
		body.put("id", APP_ID);
		body.put("runtimeVersion", this.version.runtimeVersion());
		body.putArray("enabledFeatures");
		var components = body.putArray("components");
		for (String pubsub : this.pubsubs) {
			ObjectNode component = components.addObject();
			component.put("name", pubsub);
			component.put("type", "pubsub.kafka");
			component.put("version", "v1");
			component.putArray("capabilities").add("BULK_PUBSUB");
		}
		body.putObject("extended").put("daprRuntimeVersion", this.version.runtimeVersion());
		return response.header("Content-Type", "application/json").sendString(Mono.just(body.toString())).then();
	}

	/**
	 * {@code POST /v1.0/shutdown}: 204 on every version, but only from 1.17.7/1.18.0 does
	 * daprd then shut down (dapr/dapr#9949; v1.18.3 {@code pkg/api/http/shutdown.go}
	 * {@code onShutdown} starts {@code shutdownFn}; v1.16.19 waited for a context that
	 * the HTTP bridge never ends). The fake's versions, 1.17.13 and 1.18.3, both shut
	 * down.
	 */
	private Publisher<Void> shutdownRequested(HttpServerRequest request, HttpServerResponse response) {
		boolean shutsDown = this.version != DaprVersion.V1_16;
		return response.status(HttpResponseStatus.NO_CONTENT).send().then().doOnSuccess((done) -> {
			if (shutsDown) {
				Mono.delay(Duration.ofMillis(50)).subscribe((tick) -> shutdown());
			}
		});
	}

	private Publisher<Void> alphaBulkPublish(HttpServerRequest request, HttpServerResponse response) {
		String pubsub = request.param("pubsub");
		String path = new QueryStringDecoder(request.uri()).path();
		return bulkPublish(request, response, pubsub,
				path.substring(("/v1.0-alpha1/publish/bulk/" + pubsub + "/").length()));
	}

	private Publisher<Void> publish(HttpServerRequest request, HttpServerResponse response) {
		if (this.shuttingDown) {
			return response.withConnection(Connection::dispose).then();
		}
		if ("bulk".equals(request.param("pubsub")) && this.version.stableBulkRoute()) {
			// from 1.17 chi prefers the static segment; before, this is a publish to the
			// pubsub "bulk" (dapr v1.16.19 pkg/api/http/http.go: no publish/bulk route in
			// version v1.0)
			String path = new QueryStringDecoder(request.uri()).path();
			String rest = path.substring("/v1.0/publish/bulk/".length());
			int slash = rest.indexOf('/');
			return bulkPublish(request, response, (slash < 0) ? rest : rest.substring(0, slash),
					(slash < 0) ? "" : rest.substring(slash + 1));
		}
		int early = this.answerBeforeReading;
		if (early != 0) {
			this.requests.add(new Request(request.method().name(), request.uri(), query(request.uri()), Map.of(),
					new byte[0], early, null));
			return response.status(early).header("Connection", "close").send();
		}
		return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]).flatMap((body) -> {
			String pubsub = request.param("pubsub");
			String path = new QueryStringDecoder(request.uri()).path();
			// daprd unescapes the topic as a query value: %XX decoded, '+' a space
			String topic = QueryStringDecoder
				.decodeComponent(path.substring(("/v1.0/publish/" + pubsub + "/").length()));
			Map<String, String> query = query(request.uri());
			String key = query.get("metadata.partitionKey");
			AtomicInteger perKey = (key != null)
					? this.concurrentPerKey.computeIfAbsent(topic + " " + key, (k) -> new AtomicInteger()) : null;
			this.maxConcurrent.accumulateAndGet(this.concurrent.incrementAndGet(), Math::max);
			if (perKey != null) {
				this.maxConcurrentPerKey.accumulateAndGet(perKey.incrementAndGet(), Math::max);
			}
			// A request stops counting as under way once its answer is decided, before it
			// is
			// written: the client may send its next request as soon as it reads it.
			AtomicBoolean finished = new AtomicBoolean();
			Runnable finish = () -> {
				if (finished.compareAndSet(false, true)) {
					this.concurrent.decrementAndGet();
					if (perKey != null) {
						perKey.decrementAndGet();
					}
				}
			};
			Map<String, String> headers = new LinkedHashMap<>();
			request.requestHeaders().forEach((header) -> headers.put(header.getKey().toLowerCase(), header.getValue()));
			String method = request.method().name();
			String uri = request.uri();
			Fault fault = nextFault();
			if (this.stalled || fault == Fault.STALL) {
				return Mono.<Void>never().doFinally((signal) -> finish.run());
			}
			Duration brokerDelay = (fault == Fault.SLOW_BROKER) ? SLOW_BROKER : this.brokerDelay;
			if (!brokerDelay.isZero()) {
				// daprd ignores the request's context: the producer writes the event
				// whether or
				// not the client still waits (dapr-fidelity row 2.13), so this runs
				// detached.
				Mono<Answer> published = Mono.delay(brokerDelay)
					.map((tick) -> publishAndRecord(method, uri, headers, pubsub, topic, query, body, fault))
					.doOnNext((answer) -> finish.run())
					.cache();
				published.subscribe();
				return published.flatMap((answer) -> write(response, answer)).doFinally((signal) -> finish.run());
			}
			return Mono.delay(latency())
				.map((tick) -> publishAndRecord(method, uri, headers, pubsub, topic, query, body, fault))
				.doOnNext((answer) -> finish.run())
				.flatMap((answer) -> write(response, answer))
				.doFinally((signal) -> finish.run());
		});
	}

	/**
	 * daprd's {@code onBulkPublish} (dapr v1.18.3 pkg/api/http/http.go; unchanged since
	 * v1.16.19 but for the route), in its order: the token; the pubsub and topic
	 * ({@code validateAndGetPubsubAndTopic}); the request's {@code rawPayload}; the body
	 * decoded as an array of entries (over {@code --max-body-size} the decoder fails: 400
	 * {@code ERR_PUBSUB_EVENTS_SER}); each entry's event converted by its content type
	 * ({@code util.go} {@code ConvertEventToBytes}) and its {@code entryId} checked (400
	 * {@code ERR_PUBSUB_EVENTS_SER}); each envelope created (500
	 * {@code ERR_PUBSUB_CLOUD_EVENTS_SER}); the component and the scopes (400
	 * {@code ERR_PUBSUB_NOT_FOUND}, 403); then the Kafka component's {@code BulkPublish}
	 * (components-contrib {@code common/component/kafka/producer.go}): one record per
	 * entry, request metadata copied over the entry's, each record failing on its own
	 * (Sarama {@code ProducerErrors}), answered 500 with {@code failedEntries} and
	 * {@code ERR_PUBSUB_PUBLISH_MESSAGE} when any failed, 204 otherwise.
	 */
	private Publisher<Void> bulkPublish(HttpServerRequest request, HttpServerResponse response, String pubsub,
			String rawTopic) {
		if (this.shuttingDown) {
			return response.withConnection(Connection::dispose).then();
		}
		if (!this.bulkRoutes) {
			this.bulkRequests.add(new BulkRequest(request.uri(), Map.of(), new byte[0], 0, 404, null, List.of()));
			return response.status(404)
				.header("Content-Type", "text/plain; charset=utf-8")
				.sendString(Mono.just("404 page not found\n"))
				.then();
		}
		int early = this.answerBeforeReading;
		if (early != 0) {
			this.bulkRequests.add(new BulkRequest(request.uri(), Map.of(), new byte[0], 0, early, null, List.of()));
			return response.status(early).header("Connection", "close").send();
		}
		return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]).flatMap((body) -> {
			String topic = QueryStringDecoder.decodeComponent(rawTopic);
			Map<String, String> query = query(request.uri());
			Map<String, String> headers = new LinkedHashMap<>();
			request.requestHeaders().forEach((header) -> headers.put(header.getKey().toLowerCase(), header.getValue()));
			String path = new QueryStringDecoder(request.uri()).path();
			BulkDecision decision = decideBulk(headers, pubsub, topic, query, body);
			List<AtomicInteger> perKey = new ArrayList<>();
			for (BulkEntry entry : decision.entries()) {
				String key = key(entry.kafkaMetadata());
				if (key != null) {
					AtomicInteger count = this.concurrentPerKey.computeIfAbsent(topic + " " + key,
							(k) -> new AtomicInteger());
					this.maxConcurrentPerKey.accumulateAndGet(count.incrementAndGet(), Math::max);
					perKey.add(count);
				}
			}
			this.maxConcurrent.accumulateAndGet(this.concurrent.incrementAndGet(), Math::max);
			AtomicBoolean finished = new AtomicBoolean();
			Runnable finish = () -> {
				if (finished.compareAndSet(false, true)) {
					this.concurrent.decrementAndGet();
					perKey.forEach(AtomicInteger::decrementAndGet);
				}
			};
			Fault fault = nextFault();
			if (this.stalled || fault == Fault.STALL) {
				this.bulkRequests
					.add(new BulkRequest(path, headers, body, decision.entries().size(), 0, null, List.of()));
				return Mono.<Void>never().doFinally((signal) -> finish.run());
			}
			Duration brokerDelay = (fault == Fault.SLOW_BROKER) ? SLOW_BROKER : this.brokerDelay;
			Mono<Answer> published = Mono.delay(brokerDelay.isZero() ? latency() : brokerDelay)
				.map((tick) -> bulkPublishAndRecord(path, headers, pubsub, topic, body, decision, fault))
				.doOnNext((answer) -> finish.run())
				.cache();
			if (!brokerDelay.isZero()) {
				// the producer writes whether or not the client still waits
				published.subscribe();
			}
			return published.flatMap((answer) -> write(response, answer)).doFinally((signal) -> finish.run());
		});
	}

	/** One entry of a bulk request as daprd decoded it. */
	private record BulkEntry(String entryId, byte[] event, String contentType, Map<String, String> kafkaMetadata) {

	}

	/**
	 * The whole request's answer when daprd refuses it before the broker; otherwise
	 * {@code null} and the decoded entries.
	 */
	private record BulkDecision(@Nullable Answer refusal, List<BulkEntry> entries) {

	}

	private BulkDecision decideBulk(Map<String, String> headers, String pubsub, String topic, Map<String, String> query,
			byte[] body) {
		Answer refused = routed(headers, pubsub, topic);
		if (refused == null) {
			refused = rawPayloadRefused(query);
		}
		if (refused != null) {
			return new BulkDecision(refused, List.of());
		}
		String unmarshal = "error when unmarshaling the request for topic " + topic + " pubsub " + pubsub + ": ";
		if (body.length > this.maxBodySize) {
			return new BulkDecision(Answer.error(400, "ERR_PUBSUB_EVENTS_SER", "DAPR_PUBSUB_UNMARSHAL_EVENTS",
					unmarshal + "stream too large"), List.of());
		}
		JsonNode array;
		try {
			array = JSON.readTree(body);
		}
		catch (RuntimeException ex) {
			array = null;
		}
		if (array == null || !array.isArray()) {
			return new BulkDecision(
					Answer.error(400, "ERR_PUBSUB_EVENTS_SER", "DAPR_PUBSUB_UNMARSHAL_EVENTS",
							unmarshal + "json: cannot unmarshal into Go value of type []http.bulkPublishMessageEntry"),
					List.of());
		}
		Map<String, String> requestMetadata = new LinkedHashMap<>();
		query.forEach((name, value) -> {
			if (name.startsWith("metadata.")) {
				requestMetadata.put(name.substring("metadata.".length()), value);
			}
		});
		List<BulkEntry> entries = new ArrayList<>();
		Set<String> ids = new HashSet<>();
		for (JsonNode entry : array) {
			if (!entry.isObject()) {
				return new BulkDecision(
						Answer.error(400, "ERR_PUBSUB_EVENTS_SER", "DAPR_PUBSUB_UNMARSHAL_EVENTS", unmarshal
								+ "json: cannot unmarshal into Go struct field of type http.bulkPublishMessageEntry"),
						List.of());
			}
			String contentType = entry.path("contentType").asString("");
			byte[] event = eventBytes(entry.get("event"), contentType);
			if (event == null) {
				return new BulkDecision(Answer.error(400, "ERR_PUBSUB_EVENTS_SER", "DAPR_PUBSUB_MARSHAL_ENVELOPE",
						"error when marshalling cloud event envelope for topic " + topic + " pubsub " + pubsub + ": "),
						List.of());
			}
			String entryId = entry.path("entryId").asString("");
			if (entryId.isEmpty() || !ids.add(entryId)) {
				return new BulkDecision(Answer.error(400, "ERR_PUBSUB_EVENTS_SER", "DAPR_PUBSUB_MARSHAL_EVENTS",
						"error marshaling events to bytes for topic " + topic + " pubsub " + pubsub
								+ ". error: entryId is duplicated or not present for entry"),
						List.of());
			}
			Map<String, String> metadata = new LinkedHashMap<>();
			JsonNode entryMetadata = entry.get("metadata");
			if (entryMetadata != null && entryMetadata.isObject()) {
				entryMetadata.properties()
					.forEach((field) -> metadata.put(field.getKey(), field.getValue().asString()));
				// PopulateMetadataForBulkPublishEntry: the entry's keys win
				requestMetadata.forEach(metadata::putIfAbsent);
			}
			// the Kafka component: maps.Copy(entry.Metadata, metadata), the request's win
			metadata.putAll(requestMetadata);
			entries.add(new BulkEntry(entryId, event, contentType, metadata));
		}
		if (!isRawPayload(query)) {
			for (BulkEntry entry : entries) {
				if (entry.contentType().toLowerCase().startsWith(CLOUDEVENTS_JSON)
						&& (!isJsonObject(entry.event()) || refusedType(entry.event()))) {
					return new BulkDecision(Answer.error(500, "ERR_PUBSUB_CLOUD_EVENTS_SER",
							"DAPR_PUBSUB_CLOUD_EVENT_CREATION", "cannot create cloudevent"), entries);
				}
			}
		}
		return new BulkDecision(publisherRefused(pubsub, topic), entries);
	}

	/**
	 * dapr {@code pkg/api/http/util.go} {@code ConvertEventToBytes}: JSON and CloudEvents
	 * marshalled again, text only from a string, {@code application/octet-stream} from a
	 * base64 string; anything else a mismatch ({@code null}).
	 */
	private static byte @Nullable [] eventBytes(@Nullable JsonNode event, String contentType) {
		String type = contentType.toLowerCase();
		if (type.startsWith("application/octet-stream")) {
			if (event == null || !event.isString()) {
				return null;
			}
			try {
				return Base64.getDecoder().decode(event.stringValue());
			}
			catch (IllegalArgumentException ex) {
				return null;
			}
		}
		if (type.startsWith("text/")) {
			return (event != null && event.isString()) ? event.stringValue().getBytes(StandardCharsets.UTF_8) : null;
		}
		if (type.startsWith("application/json") || type.startsWith(CLOUDEVENTS_JSON)) {
			return GoJson.marshal((event != null) ? event : JSON.nullNode());
		}
		return null;
	}

	private Answer bulkPublishAndRecord(String path, Map<String, String> headers, String pubsub, String topic,
			byte[] body, BulkDecision decision, Fault fault) {
		Answer answer = decision.refusal();
		List<String> failed = new ArrayList<>();
		if (answer == null) {
			StringBuilder failedEntries = new StringBuilder();
			for (BulkEntry entry : decision.entries()) {
				String error = brokerError(entry.event(), fault);
				Map<String, String> entryQuery = new LinkedHashMap<>();
				entry.kafkaMetadata().forEach((name, value) -> entryQuery.put("metadata." + name, value));
				Map<String, String> entryHeaders = new LinkedHashMap<>(headers);
				entryHeaders.put("content-type", entry.contentType());
				this.requests.add(new Request("POST", path, entryQuery, entryHeaders, entry.event(),
						(error == null) ? 204 : 500, (error == null) ? null : "ERR_PUBSUB_PUBLISH_MESSAGE"));
				if (error == null) {
					Delivered published = deliver(pubsub, topic, entryQuery, entryHeaders, entry.event());
					this.delivered.add(published);
					this.subscriber.offer(published);
				}
				else {
					failed.add(entry.entryId());
					ObjectNode failure = JSON.createObjectNode();
					failure.put("entryId", entry.entryId());
					failure.put("error", error);
					failedEntries.append(failedEntries.isEmpty() ? "" : ",").append(failure);
				}
			}
			if (failed.isEmpty() && timesOutAfterWriting()) {
				StringBuilder everyEntry = new StringBuilder();
				for (BulkEntry entry : decision.entries()) {
					failed.add(entry.entryId());
					ObjectNode failure = JSON.createObjectNode();
					failure.put("entryId", entry.entryId());
					failure.put("error", RESILIENCY_TIMEOUT);
					everyEntry.append(everyEntry.isEmpty() ? "" : ",").append(failure);
				}
				answer = Answer.json(500,
						"{\"failedEntries\":[" + everyEntry + "],\"errorCode\":\"ERR_PUBSUB_PUBLISH_MESSAGE\"}");
			}
			else if (failed.isEmpty()) {
				answer = (this.resetAfterPublishing || fault == Fault.RESET_AFTER_PUBLISHING) ? Answer.RESET
						: Answer.PUBLISHED;
			}
			else {
				answer = Answer.json(500,
						"{\"failedEntries\":[" + failedEntries + "],\"errorCode\":\"ERR_PUBSUB_PUBLISH_MESSAGE\"}");
			}
		}
		else {
			if (decision.entries().isEmpty()) {
				this.requests
					.add(new Request("POST", path, Map.of(), headers, body, answer.status(), answer.errorCode()));
			}
			for (BulkEntry entry : decision.entries()) {
				Map<String, String> entryQuery = new LinkedHashMap<>();
				entry.kafkaMetadata().forEach((name, value) -> entryQuery.put("metadata." + name, value));
				this.requests.add(new Request("POST", path, entryQuery, headers, entry.event(), answer.status(),
						answer.errorCode()));
			}
		}
		this.bulkRequests.add(new BulkRequest(path, headers, body, decision.entries().size(), answer.status(),
				answer.errorCode(), List.copyOf(failed)));
		return answer;
	}

	/**
	 * Decides the answer as daprd would, records the request, and hands a published event
	 * to the broker (the {@link #delivered()} list). Status 0: published, then the
	 * connection is reset.
	 */
	private Answer publishAndRecord(String method, String uri, Map<String, String> headers, String pubsub, String topic,
			Map<String, String> query, byte[] body, Fault fault) {
		Answer answer = decide(headers, pubsub, topic, query, body, fault);
		boolean written = answer.published();
		if (answer.status() == 204 && timesOutAfterWriting()) {
			answer = Answer.error(500, "ERR_PUBSUB_PUBLISH_MESSAGE", "DAPR_PUBSUB_PUBLISH_MESSAGE",
					"error when publishing to topic " + topic + " in pubsub " + pubsub + ": " + RESILIENCY_TIMEOUT);
		}
		else if (answer.status() == 204 && (this.resetAfterPublishing || fault == Fault.RESET_AFTER_PUBLISHING)) {
			answer = Answer.RESET;
		}
		this.requests.add(new Request(method, uri, query, headers, body, answer.status(), answer.errorCode()));
		if (written) {
			Delivered published = deliver(pubsub, topic, query, headers, body);
			this.delivered.add(published);
			this.subscriber.offer(published);
		}
		return answer;
	}

	private boolean timesOutAfterWriting() {
		return this.timeoutsAfterWriting.getAndUpdate((left) -> Math.max(0, left - 1)) > 0;
	}

	private Mono<Void> write(HttpServerResponse response, Answer answer) {
		if (answer == Answer.RESET) {
			return response.withConnection((connection) -> {
				connection.channel().config().setOption(ChannelOption.SO_LINGER, 0);
				connection.channel().close();
			}).then();
		}
		if (answer.status() == 204) {
			return response.status(HttpResponseStatus.NO_CONTENT)
				.header("Connection", this.shuttingDown ? "close" : "keep-alive")
				.send()
				.then();
		}
		if (Answer.RAW_JSON.equals(answer.errorCode())) {
			return response.status(answer.status())
				.header("Content-Type", "application/json")
				.sendString(Mono.just(answer.message()))
				.then();
		}
		if (answer.errorCode() == null) {
			// Go's http.Error: text/plain; charset=utf-8, the message and a newline
			return response.status(answer.status())
				.header("Content-Type", "text/plain; charset=utf-8")
				.header("X-Content-Type-Options", "nosniff")
				.sendString(Mono.just(answer.message() + "\n"))
				.then();
		}
		return error(response, answer.status(), answer.errorCode(), answer.reason(), answer.message());
	}

	/**
	 * What daprd answers, in the order it checks (dapr v1.16.19 pkg/api/http/http.go
	 * {@code onPublish} and {@code validateAndGetPubsubAndTopic}; the API token before
	 * routing in middlewares.go {@code APITokenAuthMiddleware}).
	 * contracts/dapr-publish-api.md lists the rules, and {@code DaprSidecarRulesTest}
	 * holds this method to that list.
	 */
	private Answer decide(Map<String, String> headers, String pubsub, String topic, Map<String, String> query,
			byte[] body, Fault fault) {
		String publishError = "error when publishing to topic " + topic + " in pubsub " + pubsub + ": ";
		Answer refused = routed(headers, pubsub, topic);
		if (refused != null) {
			return refused;
		}
		if (body.length > this.maxBodySize) {
			return Answer.error(500, "ERR_PUBSUB_PUBLISH_MESSAGE", "DAPR_PUBSUB_PUBLISH_MESSAGE",
					publishError + "stream too large");
		}
		refused = rawPayloadRefused(query);
		if (refused != null) {
			return refused;
		}
		if (isCloudEvent(headers) && !isRawPayload(query) && (!isJsonObject(body) || refusedType(body))) {
			return Answer.error(500, "ERR_PUBSUB_CLOUD_EVENTS_SER", "DAPR_PUBSUB_CLOUD_EVENT_CREATION",
					"cannot create cloudevent");
		}
		refused = publisherRefused(pubsub, topic);
		if (refused != null) {
			return refused;
		}
		String brokerError = brokerError(body, fault);
		return (brokerError != null) ? Answer.error(500, "ERR_PUBSUB_PUBLISH_MESSAGE", "DAPR_PUBSUB_PUBLISH_MESSAGE",
				publishError + brokerError) : Answer.PUBLISHED;
	}

	/**
	 * The checks every publish route makes first, single and bulk alike: the API token
	 * before routing (middlewares.go {@code APITokenAuthMiddleware}), then
	 * {@code validateAndGetPubsubAndTopic}. {@code null} when they pass.
	 */
	private @Nullable Answer routed(Map<String, String> headers, String pubsub, String topic) {
		if (this.apiToken != null && !this.apiToken.equals(headers.get("dapr-api-token"))) {
			return Answer.plain(401, "invalid api token");
		}
		if (pubsub.isEmpty()) {
			return Answer.error(404, "ERR_PUBSUB_EMPTY", "DAPR_PUBSUB_NAME_EMPTY", "pubsub name is empty");
		}
		if (!this.pubsubs.contains(pubsub)) {
			return Answer.error(404, "ERR_PUBSUB_NOT_FOUND", "DAPR_PUBSUB_NOT_FOUND",
					"pubsub " + pubsub + " is not found");
		}
		if (topic.isEmpty()) {
			return Answer.error(404, "ERR_TOPIC_NAME_EMPTY", "DAPR_PUBSUB_TOPIC_NAME_EMPTY",
					"topic is empty in pubsub " + pubsub);
		}
		return null;
	}

	/** The request's {@code rawPayload}, read as Go's {@code ParseBool}. */
	private static @Nullable Answer rawPayloadRefused(Map<String, String> query) {
		String rawPayload = query.get("metadata.rawPayload");
		if (rawPayload != null && !rawPayload.isEmpty() && goParseBool(rawPayload) == null) {
			return Answer.error(400, "ERR_PUBSUB_REQUEST_METADATA", "DAPR_PUBSUB_METADATA_DESERIALIZATION",
					"failed deserializing metadata. Error: rawPayload value must be a valid boolean: actual is '"
							+ rawPayload + "'");
		}
		return null;
	}

	/**
	 * The publisher adapter's checks, single and bulk alike
	 * (pkg/runtime/pubsub/publisher/publisher.go): the component still there, the topic
	 * allowed by the scopes.
	 */
	private @Nullable Answer publisherRefused(String pubsub, String topic) {
		if (this.componentGone) {
			return Answer.error(400, "ERR_PUBSUB_NOT_FOUND", "DAPR_PUBSUB_TEST_NOT_FOUND",
					"pubsub '" + pubsub + "' not found");
		}
		if (this.forbiddenTopics.contains(topic)) {
			return Answer.error(403, "ERR_PUBSUB_FORBIDDEN", "DAPR_PUBSUB_FORBIDDEN",
					"topic " + topic + " is not allowed for app id " + APP_ID);
		}
		return null;
	}

	/**
	 * What the Kafka producer makes of one record: its error, or {@code null} when it is
	 * written (contrib common/component/kafka/producer.go; Sarama's size check, and an
	 * injected broker failure).
	 */
	private @Nullable String brokerError(byte[] record, Fault fault) {
		if (record.length > this.brokerMaxMessageBytes) {
			return "kafka: invalid configuration (Attempt to produce message larger than configured"
					+ " Producer.MaxMessageBytes: " + record.length + " > " + this.brokerMaxMessageBytes + ")";
		}
		if (fault == Fault.BROKER_DOWN || this.failuresToInject.getAndUpdate((left) -> Math.max(0, left - 1)) > 0
				|| firstAttemptFails(record)) {
			return "kafka: client has run out of available brokers to talk to";
		}
		return null;
	}

	/**
	 * One answer of daprd's publish route.
	 *
	 * @param status 204, an error status, or 0 for a reset connection
	 * @param errorCode the JSON body's errorCode; {@code null} for a plain-text body
	 * @param reason the reason of its ErrorInfo detail (dapr
	 * pkg/messages/errorcodes/errorcodes.go); {@code null} for an answer without details
	 */
	record Answer(int status, @Nullable String errorCode, @Nullable String reason, String message) {

		/**
		 * errorCode of an answer whose message is a whole JSON body, written as it is.
		 */
		static final String RAW_JSON = "(raw json)";

		static final Answer PUBLISHED = new Answer(204, null, null, "");

		static final Answer RESET = new Answer(0, null, null, "");

		static Answer error(int status, String errorCode, String reason, String message) {
			return new Answer(status, errorCode, reason, message);
		}

		static Answer plain(int status, String message) {
			return new Answer(status, null, null, message);
		}

		static Answer json(int status, String body) {
			return new Answer(status, RAW_JSON, null, body);
		}

		boolean published() {
			return this == PUBLISHED || this == RESET;
		}

	}

	private Delivered deliver(String pubsub, String topic, Map<String, String> query, Map<String, String> headers,
			byte[] body) {
		Map<String, String> metadata = new LinkedHashMap<>();
		query.forEach((name, value) -> {
			if (name.startsWith("metadata.")) {
				metadata.put(name.substring("metadata.".length()), value);
			}
		});
		if (isRawPayload(query)) {
			// no envelope at all: the body goes to the broker as it came (onPublish: if
			// !rawPayload {...})
			JsonNode raw = isJson(body) ? JSON.readTree(body)
					: JSON.getNodeFactory().stringNode(new String(body, StandardCharsets.UTF_8));
			return new Delivered(pubsub, topic, key(metadata), metadata, raw, body, Instant.now());
		}
		String sidecarTrace = headers.getOrDefault("traceparent", "");
		String traceState = headers.getOrDefault("tracestate", "");
		ObjectNode event;
		if (isCloudEvent(headers)) {
			event = (ObjectNode) JSON.readTree(body);
			if (!event.has("time")) {
				event.put("time",
						OffsetDateTime.now()
							.truncatedTo(ChronoUnit.SECONDS)
							.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
			}
			if (this.legacyTraceOverwrite || !event.has("traceid")) {
				event.put("traceid", sidecarTrace);
				event.put("traceparent", sidecarTrace);
			}
			if (this.legacyTraceOverwrite || !event.has("tracestate")) {
				event.put("tracestate", traceState);
			}
			putIfAbsent(event, "source", "Dapr");
			putIfAbsent(event, "type", "com.dapr.event.sent");
			putIfAbsent(event, "specversion", "1.0");
		}
		else {
			event = JSON.createObjectNode();
			event.put("id", UUID.randomUUID().toString());
			event.put("source", APP_ID);
			event.put("type", "com.dapr.event.sent");
			event.put("specversion", "1.0");
			String contentType = headers.getOrDefault("content-type", "text/plain");
			event.put("datacontenttype", contentType);
			event.put("traceid", sidecarTrace);
			event.put("traceparent", sidecarTrace);
			event.put("tracestate", traceState);
			event.put("time",
					OffsetDateTime.now()
						.truncatedTo(ChronoUnit.SECONDS)
						.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
			if (contentType.toLowerCase().startsWith("application/json") && isJson(body)) {
				event.set("data", JSON.readTree(body));
			}
			else {
				event.put("data", new String(body, StandardCharsets.UTF_8));
			}
		}
		event.put("topic", topic);
		event.put("pubsubname", pubsub);
		Duration ttl = ttlOf(metadata);
		if (ttl != null) {
			event.put("expiration",
					Instant.now()
						.plus(ttl)
						.atOffset(ZoneOffset.UTC)
						.truncatedTo(ChronoUnit.SECONDS)
						.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
		}
		// daprd sends json.Marshal of the envelope: Go's bytes, not the application's
		byte[] bytes = GoJson.marshal(event);
		return new Delivered(pubsub, topic, key(metadata), metadata, JSON.readTree(bytes), bytes, Instant.now());
	}

	/**
	 * The Kafka record key: {@code partitionKey} or {@code __key} (components-contrib
	 * {@code common/component/kafka/metadata.go}: {@code key}, {@code keyMetadataKey}).
	 */
	private static @Nullable String key(Map<String, String> metadata) {
		return (metadata.get("partitionKey") != null) ? metadata.get("partitionKey") : metadata.get("__key");
	}

	/**
	 * dapr {@code metadata/utils.go} {@code IsRawPayload}: Go's
	 * {@code strconv.ParseBool}, "" meaning not raw.
	 */
	private static boolean isRawPayload(Map<String, String> query) {
		String value = query.get("metadata.rawPayload");
		return value != null && !value.isEmpty() && Boolean.TRUE.equals(goParseBool(value));
	}

	/**
	 * Go's {@code strconv.ParseBool}: null for what it refuses (such as {@code tRuE} or
	 * {@code yes}).
	 */
	static @Nullable Boolean goParseBool(String value) {
		return switch (value) {
			case "1", "t", "T", "TRUE", "true", "True" -> Boolean.TRUE;
			case "0", "f", "F", "FALSE", "false", "False" -> Boolean.FALSE;
			default -> null;
		};
	}

	/**
	 * dapr {@code metadata/utils.go} {@code TryGetTTL}: {@code ttlInSeconds} or
	 * {@code ttl}, any case; whole seconds or a Go duration ({@code 90s}, {@code 1h30m});
	 * none when not positive or not readable.
	 */
	static @Nullable Duration ttlOf(Map<String, String> metadata) {
		String value = metadata.entrySet()
			.stream()
			.filter((entry) -> entry.getKey().equalsIgnoreCase("ttlInSeconds")
					|| entry.getKey().equalsIgnoreCase("ttl"))
			.map(Map.Entry::getValue)
			.findFirst()
			.orElse(null);
		if (value == null || value.isEmpty()) {
			return null;
		}
		Duration ttl;
		if (value.matches("[+-]?\\d+")) {
			ttl = Duration.ofSeconds(Long.parseLong(value));
		}
		else {
			ttl = goDuration(value);
		}
		return (ttl != null && !ttl.isNegative() && !ttl.isZero()) ? ttl : null;
	}

	/**
	 * Go's {@code time.ParseDuration}, for the units it knows; null when it would fail.
	 */
	private static @Nullable Duration goDuration(String value) {
		java.util.regex.Matcher part = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)")
			.matcher(value.startsWith("-") || value.startsWith("+") ? value.substring(1) : value);
		double nanos = 0;
		int end = 0;
		while (part.lookingAt()) {
			double amount = Double.parseDouble(part.group(1));
			nanos += amount * switch (part.group(2)) {
				case "ns" -> 1;
				case "us", "µs" -> 1e3;
				case "ms" -> 1e6;
				case "s" -> 1e9;
				case "m" -> 60e9;
				default -> 3600e9;
			};
			end = part.end();
			part.region(end, part.regionEnd());
		}
		if (end == 0 || end != part.regionEnd()) {
			return null;
		}
		return Duration.ofNanos((long) (value.startsWith("-") ? -nanos : nanos));
	}

	private Duration latency() {
		long min = this.minLatency.toMillis();
		long max = this.maxLatency.toMillis();
		return Duration.ofMillis((max > min) ? ThreadLocalRandom.current().nextLong(min, max + 1) : min);
	}

	/**
	 * daprd's JSON error: {@code errorCode} and {@code message}, and with a reason the
	 * ErrorInfo detail a dapr/kit error carries (kit errors {@code JSONErrorValue}); an
	 * {@code APIError} such as the health routes' has none (pkg/messages/api_error.go).
	 */
	private static Mono<Void> error(HttpServerResponse response, int status, String errorCode, @Nullable String reason,
			String message) {
		ObjectNode body = JSON.createObjectNode();
		body.put("errorCode", errorCode);
		body.put("message", message);
		if (reason != null) {
			ObjectNode info = body.putArray("details").addObject();
			info.put("@type", "type.googleapis.com/google.rpc.ErrorInfo");
			info.put("reason", reason);
			info.put("domain", "dapr.io");
		}
		return response.status(status)
			.header("Content-Type", "application/json")
			.sendString(Mono.just(body.toString()))
			.then();
	}

	private boolean refusedType(byte[] event) {
		JsonNode type = JSON.readTree(event).get("type");
		return type != null && type.isString() && this.notACloudEvent.test(type.stringValue());
	}

	private boolean firstAttemptFails(byte[] event) {
		try {
			JsonNode id = JSON.readTree(event).get("id");
			return id != null && id.isString() && this.failFirstAttempt.test(id.stringValue())
					&& this.attempted.add(id.stringValue());
		}
		catch (RuntimeException notJson) {
			return false;
		}
	}

	private static boolean isCloudEvent(Map<String, String> headers) {
		String contentType = headers.getOrDefault("content-type", "");
		return contentType.toLowerCase().startsWith(CLOUDEVENTS_JSON);
	}

	private static boolean isJsonObject(byte[] body) {
		try {
			return JSON.readTree(body).isObject();
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	private static boolean isJson(byte[] body) {
		try {
			JSON.readTree(body);
			return true;
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	private static void putIfAbsent(ObjectNode event, String field, String value) {
		if (!event.hasNonNull(field)) {
			event.put(field, value);
		}
	}

	private static Map<String, String> query(String uri) {
		Map<String, String> query = new LinkedHashMap<>();
		new QueryStringDecoder(uri).parameters().forEach((name, values) -> query.put(name, values.get(0)));
		return query;
	}

}
