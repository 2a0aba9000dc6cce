package com.pakaura.binder.dapr;

import java.time.Duration;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.netty.channel.ChannelOption;
import io.netty.handler.timeout.ReadTimeoutException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientRequest;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;
import reactor.util.context.Context;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.util.UriUtils;

import com.pakaura.binder.dapr.properties.DaprBinderConfigurationProperties;

/**
 * The sidecar's HTTP API: {@code POST /v1.0/publish/{pubsub}/{topic}}, the bulk routes
 * ({@link BulkPublishRoute}), {@code GET /v1.0/metadata} and
 * {@code GET /v1.0/healthz/outbound}. Owns its Netty threads and connections, so that
 * queued events can still drain while the rest of the application shuts its HTTP
 * resources down. Built from the application's {@code WebClient.Builder}, so its requests
 * are observed like the application's own ({@code http.client.requests}, tagged with the
 * URI template {@code /v1.0/publish/{pubsub}/{topic}...}, and a client span when tracing
 * is on).
 */
final class DaprSidecarClient implements AutoCloseable {

	static final String API_TOKEN_HEADER = "dapr-api-token";

	private static final String PUBLISH_PATH_TEMPLATE = "/v1.0/publish/{pubsub}/{topic}";

	/**
	 * The request attribute {@code WebClient} reads the URI template from, for its
	 * observation ({@code DefaultWebClient.URI_TEMPLATE_ATTRIBUTE}); it is set by
	 * {@code uri(template, variables)}, which this client no longer calls.
	 */
	private static final String URI_TEMPLATE_ATTRIBUTE = WebClient.class.getName() + ".uriTemplate";

	/** Reactor context key of the flag that Reactor Netty sets once a request is sent. */
	private static final String REQUEST_SENT = DaprSidecarClient.class.getName() + ".sent";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final LoopResources loops;

	private final ConnectionProvider connections;

	private final WebClient http;

	private final String baseUrl;

	private final Scheduler scheduler;

	DaprSidecarClient(DaprBinderConfigurationProperties properties, WebClient.Builder webClient) {
		this.loops = LoopResources.create("dapr-binder", 1, true);
		this.scheduler = Schedulers.fromExecutorService(this.loops.onClient(true), "dapr-binder");
		this.baseUrl = properties.baseUrl();
		this.connections = ConnectionProvider.builder("dapr-binder")
			.maxConnections(properties.maxInFlight() + 2)
			.pendingAcquireMaxCount(-1)
			.build();
		HttpClient client = HttpClient.create(this.connections)
			.runOn(this.loops)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(properties.timeout().toMillis(), 10_000))
			// Reactor Netty would silently send a request again when a connection
			// closes before the answer, although the sidecar may have published it:
			// retries are the dispatcher's, and only where the event cannot have
			// reached the sidecar.
			.disableRetry(true)
			.doAfterRequest((request, connection) -> request.currentContextView()
				.<AtomicBoolean>getOrEmpty(REQUEST_SENT)
				.ifPresent((sent) -> sent.set(true)));
		WebClient.Builder builder = webClient.clone()
			.baseUrl(properties.baseUrl())
			.clientConnector(new ReactorClientHttpConnector(client));
		if (properties.apiToken() != null && !properties.apiToken().isEmpty()) {
			builder.defaultHeader(API_TOKEN_HEADER, properties.apiToken());
		}
		this.http = builder.build();
	}

	/**
	 * One attempt. Never errors: every way it can end is a {@link PublishOutcome}. The
	 * answer is awaited up to {@code timeout} once the request is sent, through Reactor
	 * Netty's own response timeout, so that a late failure of an abandoned request never
	 * surfaces as a dropped error. The request is observed as a child of the sender's
	 * observation.
	 */
	Mono<PublishOutcome> publish(DaprPublication publication, Duration timeout) {
		AtomicBoolean sent = new AtomicBoolean();
		PublishTarget target = publishTarget(publication);
		return this.http.post()
			.uri(target.uri())
			// what the metrics' uri tag and the span name show, as for uri(template,
			// variables)
			.attribute(URI_TEMPLATE_ATTRIBUTE, target.template())
			.contentType(MediaType.parseMediaType(publication.contentType()))
			.headers((headers) -> publication.headers().forEach(headers::set))
			.httpRequest((request) -> responseTimeout(request, timeout))
			.bodyValue(publication.body())
			.exchangeToMono(DaprSidecarClient::outcomeOf)
			.onErrorResume((error) -> Mono.just(failureOf(error, sent.get(), timeout)))
			.contextWrite((context) -> {
				Context withFlag = context.put(REQUEST_SENT, sent);
				return (publication.sender() != null)
						? withFlag.put(ObservationThreadLocalAccessor.KEY, publication.sender()) : withFlag;
			});
	}

	/**
	 * One bulk request of these publications, all to one pubsub and topic, on this route.
	 * Never errors. The request is observed as a child of the first entry's sender, and
	 * carries that entry's trace headers; every event carries its own trace context in
	 * its envelope, which daprd keeps.
	 */
	Mono<DaprBulkAnswer> publishBulk(List<DaprPublication> entries, BulkPublishRoute route, Duration timeout) {
		AtomicBoolean sent = new AtomicBoolean();
		DaprPublication first = entries.get(0);
		URI uri = URI.create(this.baseUrl + route.pathPrefix() + UriUtils.encode(first.pubsub(), StandardCharsets.UTF_8)
				+ '/' + UriUtils.encode(first.topic(), StandardCharsets.UTF_8));
		return this.http.post()
			.uri(uri)
			.attribute(URI_TEMPLATE_ATTRIBUTE, route.pathPrefix() + "{pubsub}/{topic}")
			.contentType(MediaType.APPLICATION_JSON)
			.headers((headers) -> first.headers().forEach(headers::set))
			.httpRequest((request) -> responseTimeout(request, timeout))
			.bodyValue(DaprBulkRequest.body(entries))
			.exchangeToMono((response) -> bulkAnswerOf(response, route, entries.size()))
			.onErrorResume(
					(error) -> Mono.just(DaprBulkAnswer.all(failureOf(error, sent.get(), timeout), entries.size())))
			.contextWrite((context) -> {
				Context withFlag = context.put(REQUEST_SENT, sent);
				return (first.sender() != null) ? withFlag.put(ObservationThreadLocalAccessor.KEY, first.sender())
						: withFlag;
			});
	}

	/**
	 * {@code GET /v1.0/metadata}: empty when the sidecar answers anything but 2xx with a
	 * JSON object; an error when it cannot be reached.
	 */
	Mono<DaprSidecarMetadata> metadata(Duration timeout) {
		return this.http.get()
			.uri("/v1.0/metadata")
			.httpRequest((request) -> responseTimeout(request, timeout))
			.exchangeToMono((response) -> response.statusCode().is2xxSuccessful() ? response.bodyToMono(String.class)
					: response.releaseBody().then(Mono.<String>empty()))
			.mapNotNull(DaprSidecarMetadata::parse);
	}

	/**
	 * The thread of the client's own event loop, where requests are built and sent, so
	 * that a sender's thread only queues.
	 */
	Scheduler scheduler() {
		return this.scheduler;
	}

	/** Whether the sidecar can publish yet: 204 from {@code /v1.0/healthz/outbound}. */
	Mono<Boolean> outboundReady(Duration timeout) {
		return this.http.get()
			.uri("/v1.0/healthz/outbound")
			.httpRequest((request) -> responseTimeout(request, timeout))
			.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().is2xxSuccessful()))
			.onErrorReturn(false);
	}

	private static void responseTimeout(ClientHttpRequest request, Duration timeout) {
		if (request.getNativeRequest() instanceof HttpClientRequest netty) {
			netty.responseTimeout(timeout);
		}
	}

	/**
	 * The publish URI, pubsub, topic and metadata values encoded as values, and beside it
	 * the same URI as a template for the metrics' {@code uri} tag. Built by hand rather
	 * than expanded from the template by {@code WebClient}, which parsed and encoded it
	 * anew for every event: two fifths of what the binder allocated.
	 */
	private PublishTarget publishTarget(DaprPublication publication) {
		StringBuilder uri = new StringBuilder(this.baseUrl).append("/v1.0/publish/")
			.append(UriUtils.encode(publication.pubsub(), StandardCharsets.UTF_8))
			.append('/')
			.append(UriUtils.encode(publication.topic(), StandardCharsets.UTF_8));
		StringBuilder template = new StringBuilder(PUBLISH_PATH_TEMPLATE);
		char separator = '?';
		if (publication.partitionKey() != null) {
			uri.append(separator)
				.append("metadata.partitionKey=")
				.append(UriUtils.encode(publication.partitionKey(), StandardCharsets.UTF_8));
			template.append(separator).append("metadata.partitionKey={partitionKey}");
			separator = '&';
		}
		int index = 0;
		for (Map.Entry<String, String> entry : publication.metadata().entrySet()) {
			uri.append(separator)
				.append("metadata.")
				.append(UriUtils.encodeQueryParam(entry.getKey(), StandardCharsets.UTF_8))
				.append('=')
				.append(UriUtils.encode(entry.getValue(), StandardCharsets.UTF_8));
			template.append(separator)
				.append("metadata.")
				.append(entry.getKey())
				.append("={metadata")
				.append(index++)
				.append('}');
			separator = '&';
		}
		return new PublishTarget(URI.create(uri.toString()), template.toString());
	}

	private static Mono<PublishOutcome> outcomeOf(ClientResponse response) {
		int status = response.statusCode().value();
		if (response.statusCode().is2xxSuccessful()) {
			return response.releaseBody().thenReturn(PublishOutcome.success(status));
		}
		return response.bodyToMono(String.class).defaultIfEmpty("").map((body) -> errorOf(status, body));
	}

	/**
	 * daprd's answers to a bulk request (dapr v1.18.3 {@code pkg/api/http/http.go}
	 * {@code onBulkPublish}):
	 * <ul>
	 * <li>204: every entry was published.</li>
	 * <li>500 with {@code failedEntries}: the broker took every entry but those; each
	 * failed entry's {@code error} is the broker's, classified as a single publish's
	 * message would be ({@code too_large} for a record over the producer's limit).</li>
	 * <li>400 {@code ERR_PUBSUB_EVENTS_SER} (an event it cannot decode, or a body over
	 * {@code --max-body-size}) or 500 {@code ERR_PUBSUB_CLOUD_EVENTS_SER} (an event that
	 * is no CloudEvent): nothing was published, because of some entry; each goes again on
	 * its own.</li>
	 * <li>A route that is not there: 404 or 405 that is not one of daprd's JSON errors
	 * (Go's "404 page not found" from a proxy or another server), or, on the stable
	 * route, daprd before 1.17 routing it as a single publish to the pubsub {@code bulk}
	 * ({@link BulkPublishRoute}).</li>
	 * <li>Anything else refuses the whole request, as it would a single publish (401,
	 * 403, 404, 400 {@code ERR_PUBSUB_NOT_FOUND}, another 5xx).</li>
	 * </ul>
	 */
	private static Mono<DaprBulkAnswer> bulkAnswerOf(ClientResponse response, BulkPublishRoute route, int entries) {
		int status = response.statusCode().value();
		if (response.statusCode().is2xxSuccessful()) {
			return response.releaseBody().thenReturn(DaprBulkAnswer.all(PublishOutcome.success(status), entries));
		}
		return response.bodyToMono(String.class)
			.defaultIfEmpty("")
			.map((body) -> bulkAnswerOf(status, body, route, entries));
	}

	static DaprBulkAnswer bulkAnswerOf(int status, String body, BulkPublishRoute route, int entries) {
		JsonNode json = jsonObject(body);
		String errorCode = (json != null) ? text(json.get("errorCode")) : null;
		JsonNode failed = (json != null) ? json.get("failedEntries") : null;
		if (status >= 500 && failed != null && failed.isArray() && !failed.isEmpty()) {
			List<PublishOutcome> outcomes = new ArrayList<>(Collections.nCopies(entries, new PublishOutcome(
					PublishOutcome.Kind.SUCCESS, status, null, "published; other entries of its bulk request failed")));
			for (JsonNode entry : failed) {
				int index = entryIndex(entry.get("entryId"), entries);
				if (index < 0) {
					// an answer that does not name our entries says nothing about
					// any of them
					return DaprBulkAnswer.all(errorOf(status, body, json), entries);
				}
				String error = text(entry.get("error"));
				outcomes.set(index,
						new PublishOutcome(
								tooLarge(error) ? PublishOutcome.Kind.TOO_LARGE : PublishOutcome.Kind.HTTP_ERROR,
								status, errorCode, error));
			}
			return DaprBulkAnswer.answered(outcomes);
		}
		if ((status == 404 || status == 405) && errorCode == null) {
			return DaprBulkAnswer.routeMissing(status + " " + body.strip());
		}
		String message = (json != null) ? text(json.get("message")) : null;
		if (route == BulkPublishRoute.STABLE && status == 404 && "ERR_PUBSUB_NOT_FOUND".equals(errorCode)
				&& message != null && message.startsWith("pubsub bulk ")) {
			return DaprBulkAnswer
				.routeMissing("a sidecar before 1.17 took the stable bulk route for a publish to the pubsub 'bulk'");
		}
		if ((status == 400 && "ERR_PUBSUB_EVENTS_SER".equals(errorCode))
				|| (status == 500 && PublishOutcome.CLOUD_EVENT_NOT_JSON.equals(errorCode))) {
			return DaprBulkAnswer.sendAlone(status + " " + errorCode);
		}
		return DaprBulkAnswer.all(errorOf(status, body, json), entries);
	}

	private static int entryIndex(@Nullable JsonNode entryId, int entries) {
		if (entryId == null || !entryId.isString()) {
			return -1;
		}
		try {
			int index = Integer.parseInt(entryId.stringValue());
			return (index >= 0 && index < entries) ? index : -1;
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	/**
	 * The sidecar's error body is {@code {"errorCode": ..., "message": ...}}, or plain
	 * text (401).
	 */
	static PublishOutcome errorOf(int status, String body) {
		return errorOf(status, body, jsonObject(body));
	}

	private static PublishOutcome errorOf(int status, String body, @Nullable JsonNode json) {
		// plain text (Go's http.Error) is kept as the message
		String errorCode = (json != null) ? text(json.get("errorCode")) : null;
		String message = (json != null) ? text(json.get("message")) : (body.isBlank() ? null : body.strip());
		PublishOutcome.Kind kind = tooLarge(message) ? PublishOutcome.Kind.TOO_LARGE : PublishOutcome.Kind.HTTP_ERROR;
		return new PublishOutcome(kind, status, errorCode, message);
	}

	/**
	 * The body as a JSON object; {@code null} when it is not one (plain text, a page).
	 */
	static @Nullable JsonNode jsonObject(String body) {
		try {
			JsonNode json = JSON.readTree(body);
			return (json != null && json.isObject()) ? json : null;
		}
		catch (RuntimeException notJson) {
			return null;
		}
	}

	/**
	 * daprd reports an event over its body limit, the Kafka producer's or the broker's in
	 * the error class of a broker failure (500 {@code ERR_PUBSUB_PUBLISH_MESSAGE}, or an
	 * entry's {@code error} in a bulk answer), so only the message tells it apart. No
	 * retry changes a size.
	 * <ul>
	 * <li>"stream too large": dapr/kit {@code streams.LimitReadCloser}, behind daprd's
	 * {@code --max-body-size} (pkg/api/http {@code MaxBodySizeMiddleware})</li>
	 * <li>"...larger than configured Producer.MaxMessageBytes...": IBM/sarama
	 * {@code async_producer.go}, behind the component's {@code maxMessageBytes}</li>
	 * <li>"Message was too large...": IBM/sarama {@code errors.go}
	 * {@code ErrMessageSizeTooLarge}, the broker's own {@code message.max.bytes}</li>
	 * </ul>
	 */
	private static boolean tooLarge(@Nullable String message) {
		return message != null && (message.contains("stream too large") || message.contains("Producer.MaxMessageBytes")
				|| message.contains("Message was too large"));
	}

	private static @Nullable String text(@Nullable JsonNode node) {
		return (node != null && node.isString()) ? node.stringValue() : null;
	}

	/**
	 * A request that never got an answer. Once it was sent, the sidecar may have
	 * published it (daprd publishes whatever happens to the connection): its outcome is
	 * unknown. Before that, it cannot have reached the sidecar.
	 */
	private static PublishOutcome failureOf(Throwable error, boolean sent, Duration timeout) {
		if (sent) {
			String reason = (rootCause(error) instanceof ReadTimeoutException)
					? "no answer within " + timeout.toMillis() + " ms; the sidecar may still publish it"
					: "the connection ended before the answer (" + describe(error)
							+ "); the sidecar may have published it";
			return PublishOutcome.of(PublishOutcome.Kind.UNKNOWN, reason);
		}
		return PublishOutcome.of(PublishOutcome.Kind.UNAVAILABLE, "Dapr sidecar unavailable: " + describe(error));
	}

	private static Throwable rootCause(Throwable error) {
		Throwable cause = error;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return cause;
	}

	/** One line: the innermost cause's type and message, never a stack trace. */
	static String describe(Throwable error) {
		Throwable cause = rootCause(error);
		return cause.getClass().getSimpleName() + ((cause.getMessage() != null) ? ": " + cause.getMessage() : "");
	}

	@Override
	public void close() {
		this.connections.disposeLater()
			.then(this.loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)))
			.block(Duration.ofSeconds(10));
	}

	private record PublishTarget(URI uri, String template) {

	}

}
