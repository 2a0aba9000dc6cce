package com.pakaura.api.events;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.stream.binder.Binder;
import org.springframework.cloud.stream.binder.BinderFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.messaging.MessageChannel;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.pakaura.binder.dapr.FakeDaprSidecar;
import com.pakaura.binder.dapr.FakeDaprSidecar.Delivered;
import com.pakaura.api.support.GrafanaDashboard;
import com.pakaura.api.support.PrometheusScrape;
import com.pakaura.api.support.ServiceTest;
import com.pakaura.binder.dapr.DaprMessageChannelBinder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The event contract on the production binder: the {@code dapr} binder, enabled, against
 * a sidecar that behaves like daprd. What arrives is what a subscriber of the topic
 * receives.
 */
@ServiceTest
class TaskEventsOnDaprBinderTest extends TaskEventsContract {

	@RegisterExtension
	static final FakeDaprSidecar SIDECAR = FakeDaprSidecar.start();

	@DynamicPropertySource
	static void sidecar(DynamicPropertyRegistry properties) {
		properties.add("DAPR_ENABLED", () -> "true");
		properties.add("DAPR_HTTP_PORT", SIDECAR::port);
	}

	@Override
	protected List<Arrived> arrivedAt(String destination) {
		return SIDECAR.delivered(destination).stream().map((delivered) -> {
			assertThat(delivered.pubsub()).isEqualTo("pubsub-kafka");
			return new Arrived(withoutSidecarFields(delivered, destination), delivered.key());
		}).toList();
	}

	@Override
	protected void clearArrivals() {
		SIDECAR.reset();
	}

	@Test
	void theDaprBinderServesTheBindingsFromItsOwnChildContext(@Autowired ApplicationContext application,
			@Autowired BinderFactory binders) {
		// a Binder bean in the application context would serve every binding, whatever is
		// configured
		assertThat(application.getBeansOfType(Binder.class)).isEmpty();
		assertThat(binders.getBinder(null, MessageChannel.class)).isInstanceOf(DaprMessageChannelBinder.class);
	}

	@Test
	void theMetricsOfTheDashboardAreServedWithHistogramsAndHelpText() {
		create(Map.of("title", "Measured"));
		await().until(() -> SIDECAR.delivered().size() == 2);
		String scrape = PrometheusScrape.of(this.http);
		assertThat(scrape).containsPattern("(?m)^dapr_publish_latency_seconds_bucket\\{.*le=\"0\\.001\"")
			.containsPattern(
					"(?m)^http_client_requests_seconds_bucket\\{.*uri=\"/v1\\.0/publish/bulk/\\{pubsub}/\\{topic}");
		GrafanaDashboard.assertScrapeServes(scrape, "dapr_", "pakaura_events_", "http_");
	}

	@Test
	void theCorrelationIdSurvivesACurrentSidecarInBothFields() {
		String id = create(Map.of("title", "Traced through Dapr"));
		await().until(() -> SIDECAR.delivered().size() == 2);
		assertThat(SIDECAR.delivered()).allSatisfy((delivered) -> {
			assertThat(delivered.event().get("traceid").stringValue()).isEqualTo(CORRELATION_ID);
			assertThat(delivered.event().get("correlationid").stringValue()).isEqualTo(CORRELATION_ID);
			assertThat(delivered.event().get("traceparent").stringValue()).matches(IN_CALLERS_TRACE);
			assertThat(delivered.event().get("subject").stringValue()).isEqualTo(id);
		});
	}

	@Test
	void consumersGetDaprsReSerializedBytesAndReadTheTitleBackUnchanged() {
		String title = "<script>alert('x')</script> & \u00e9t\u00e9 \u4efb\u52a1 \ud83d\udcdd";
		String id = create(Map.of("title", title));
		await().until(() -> SIDECAR.delivered().size() == 2);
		Delivered created = SIDECAR.delivered("task-events").get(0);
		// Go's encoding/json, as daprd re-marshals the event: sorted keys, <>& escaped
		assertThat(created.text()).startsWith("{\"correlationid\":")
			.contains("\\u003cscript\\u003e")
			.contains("\\u0026")
			.doesNotContain("<script>");
		assertThat(created.event().get("data").get("title").stringValue()).isEqualTo(title);
		assertThat(created.event().get("subject").stringValue()).isEqualTo(id);
	}

	@Test
	void aSidecarBefore112OverwritesTraceidButCorrelationidSurvives() {
		SIDECAR.legacyTraceOverwrite(true);
		create(Map.of("title", "Traced through an old Dapr"));
		await().until(() -> SIDECAR.delivered().size() == 2);
		assertThat(SIDECAR.delivered()).allSatisfy((delivered) -> {
			// the old sidecar writes its own span (here: the traceparent of the request
			// to
			// it, a span of the caller's trace) over traceid...
			assertThat(delivered.event().get("traceid").stringValue()).matches(IN_CALLERS_TRACE);
			// ...and correlationid, which no tracing system touches, still names the
			// request
			assertThat(delivered.event().get("correlationid").stringValue()).isEqualTo(CORRELATION_ID);
		});
	}

	@Test
	void aSidecarThatRefusesEveryEventLeavesTheApiUntouched() {
		SIDECAR.pubsubs("not-ours");
		this.user.post()
			.uri("/api/tasks")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("title", "Still created"))
			.exchange()
			.expectStatus()
			.isCreated();
		await().until(() -> SIDECAR.requests().size() == 2);
		assertThat(SIDECAR.delivered()).isEmpty();
	}

	/**
	 * The sidecar always writes {@code topic} and {@code pubsubname}, and adds an empty
	 * {@code tracestate} when the event has none; everything else is the application's.
	 */
	private static JsonNode withoutSidecarFields(Delivered delivered, String destination) {
		ObjectNode event = (ObjectNode) delivered.event().deepCopy();
		assertThat(event.remove("topic").stringValue()).isEqualTo(destination);
		assertThat(event.remove("pubsubname").stringValue()).isEqualTo(delivered.pubsub());
		if (event.has("tracestate") && event.get("tracestate").stringValue().isEmpty()) {
			event.remove("tracestate");
		}
		return event;
	}

}
