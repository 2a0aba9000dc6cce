package com.pakaura.api.correlation;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.api.support.GenerousTimeouts;
import com.pakaura.api.support.UserSession;
import com.pakaura.binder.dapr.FakeDaprSidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One trace from the caller's request through the database and the commit to the sidecar,
 * in each delivery mode: spans recorded by OpenTelemetry's in-memory exporter, the
 * sidecar's requests and the events as the sidecar received them.
 */
@ExtendWith(OutputCaptureExtension.class)
abstract class TracingContract {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Autowired
	private WebTestClient http;

	@Autowired
	private InMemorySpanExporter spans;

	@Autowired
	private MeterRegistry meters;

	protected abstract FakeDaprSidecar sidecar();

	@BeforeEach
	void clear() {
		sidecar().reset();
		this.spans.reset();
	}

	@Test
	void oneTraceRunsFromTheRequestThroughTheDatabaseToTheSidecar(CapturedOutput output) {
		String traceId = randomHex(16);
		String callerSpan = randomHex(8);
		UserSession user = new UserSession(this.http);
		String taskId = user.createTask(Map.of("title", "Traced"),
				(headers) -> headers.set("traceparent", "00-" + traceId + "-" + callerSpan + "-01"));

		// A span is exported when it ends, and a publish request's parents (the relay's
		// observation in outbox mode) end after it: wait for the whole chain.
		await().atMost(GenerousTimeouts.PATIENCE)
			.until(() -> sidecar().delivered().size() == 2 && publishSpans(traceId).size() >= 2
					&& publishSpans(traceId).stream().allMatch((publish) -> reachesServerSpan(publish, traceId)));
		List<SpanData> trace = spansOf(traceId);

		SpanData server = single(trace, (span) -> span.getKind() == SpanKind.SERVER);
		assertThat(server.getParentSpanId()).as("the server span continues the caller's").isEqualTo(callerSpan);
		assertThat(server.getName()).isEqualTo("http post /api/tasks");

		List<SpanData> queries = trace.stream().filter((span) -> span.getName().startsWith("query")).toList();
		assertThat(queries).as("the transaction's statements, each a span under the request's").isNotEmpty();
		assertThat(queries).allSatisfy((query) -> assertThat(ancestors(query, trace)).contains(server.getSpanId()));

		List<SpanData> publishes = publishSpans(traceId);
		assertThat(publishes).allSatisfy((publish) -> {
			assertThat(publish.getKind()).isEqualTo(SpanKind.CLIENT);
			assertThat(ancestors(publish, trace)).contains(server.getSpanId());
		});
		Set<String> publishSpanIds = publishes.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
		List<FakeDaprSidecar.Request> publishRequests = sidecar().requests()
			.stream()
			.filter((request) -> request.path().startsWith("/v1.0/publish/"))
			.toList();
		assertThat(publishRequests).hasSize(2).allSatisfy((request) -> {
			String[] traceparent = request.headers().get("traceparent").split("-");
			assertThat(traceparent[1]).isEqualTo(traceId);
			assertThat(publishSpanIds).as("the sidecar request carries its own span").contains(traceparent[2]);
		});

		Set<String> spanIds = trace.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
		assertThat(sidecar().delivered()).allSatisfy((delivered) -> {
			assertThat(delivered.event().get("subject").stringValue()).isEqualTo(taskId);
			String[] traceparent = delivered.event().get("traceparent").stringValue().split("-");
			assertThat(traceparent[1]).isEqualTo(traceId);
			assertThat(spanIds).as("the event names a span of the request's trace").contains(traceparent[2]);
		});

		List<JsonNode> requestLines = output.getOut()
			.lines()
			.filter((line) -> line.startsWith("{") && line.contains(traceId))
			.map(JSON::readTree)
			.toList();
		assertThat(requestLines).as("JSON log lines of the request").isNotEmpty().allSatisfy((line) -> {
			assertThat(line.path("trace").path("id").stringValue()).isEqualTo(traceId);
			assertThat(line.path("span").path("id").stringValue()).matches("[0-9a-f]{16}");
		});
	}

	/**
	 * A statement is observed with its span and timer, and without an event per row it
	 * returns (research.md R19): a list of three tasks is one statement of three rows.
	 */
	@Test
	void aStatementIsObservedWithoutAnEventPerRowItReturns() {
		UserSession user = new UserSession(this.http);
		for (int task = 0; task < 3; task++) {
			user.createTask("Row " + task);
		}
		String traceId = randomHex(16);
		user.get()
			.uri("/api/tasks")
			.header("traceparent", "00-" + traceId + "-" + randomHex(8) + "-01")
			.exchange()
			.expectStatus()
			.isOk();

		await().atMost(GenerousTimeouts.PATIENCE)
			.until(() -> spansOf(traceId).stream().anyMatch((span) -> span.getKind() == SpanKind.SERVER));
		List<SpanData> queries = spansOf(traceId).stream()
			.filter((span) -> span.getName().startsWith("query"))
			.toList();
		assertThat(queries).as("the list's statements, each a span").isNotEmpty();
		assertThat(queries).flatExtracting(SpanData::getEvents).as("events on the statements' spans").isEmpty();
		assertThat(this.meters.find("r2dbc.query").timers()).as("the statements' timers").isNotEmpty();
		assertThat(this.meters.find("r2dbc.query.r2dbc.query_result").meters()).as("a count of rows").isEmpty();
	}

	private List<SpanData> spansOf(String traceId) {
		return this.spans.getFinishedSpanItems().stream().filter((span) -> span.getTraceId().equals(traceId)).toList();
	}

	/** The client spans of requests to the sidecar's publish API. */
	private List<SpanData> publishSpans(String traceId) {
		return spansOf(traceId).stream()
			.filter((span) -> span.getAttributes().asMap().toString().contains("/v1.0/publish/"))
			.toList();
	}

	private boolean reachesServerSpan(SpanData span, String traceId) {
		List<SpanData> trace = spansOf(traceId);
		List<String> above = ancestors(span, trace);
		return trace.stream()
			.anyMatch((candidate) -> candidate.getKind() == SpanKind.SERVER && above.contains(candidate.getSpanId()));
	}

	private static SpanData single(List<SpanData> spans, Predicate<SpanData> which) {
		List<SpanData> matching = spans.stream().filter(which).toList();
		assertThat(matching).as(spans.toString()).hasSize(1);
		return matching.get(0);
	}

	/** The span ids above this span in the trace, nearest first. */
	private static List<String> ancestors(SpanData span, List<SpanData> trace) {
		Map<String, String> parents = trace.stream()
			.collect(Collectors.toMap(SpanData::getSpanId, SpanData::getParentSpanId));
		List<String> above = new ArrayList<>();
		String parent = span.getParentSpanId();
		while (parent != null && parents.containsKey(parent) && !above.contains(parent)) {
			above.add(parent);
			parent = parents.get(parent);
		}
		return above;
	}

	private static String randomHex(int bytes) {
		byte[] random = new byte[bytes];
		new SecureRandom().nextBytes(random);
		return HexFormat.of().formatHex(random);
	}

	/** Every span, as it ends. */
	@TestConfiguration(proxyBeanMethods = false)
	static class InMemorySpans {

		@Bean
		InMemorySpanExporter inMemorySpanExporter() {
			return InMemorySpanExporter.create();
		}

		@Bean
		SpanProcessor inMemorySpanProcessor(InMemorySpanExporter exporter) {
			return SimpleSpanProcessor.create(exporter);
		}

	}

}
