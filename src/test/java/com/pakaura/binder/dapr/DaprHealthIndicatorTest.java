package com.pakaura.binder.dapr;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import com.pakaura.binder.dapr.properties.DaprBinderConfigurationProperties;

import static org.assertj.core.api.Assertions.assertThat;

class DaprHealthIndicatorTest {

	@Test
	void upWhenTheSidecarCanPublishDownWhileItsComponentsLoad() {
		try (FakeDaprSidecar sidecar = FakeDaprSidecar.start()) {
			DaprHealthIndicator health = new DaprHealthIndicator(properties(true, sidecar.port()));
			assertThat(check(health).getStatus()).isEqualTo(Status.UP);

			sidecar.outboundReady(false);
			Health down = check(health);
			assertThat(down.getStatus()).isEqualTo(Status.DOWN);
			assertThat(down.getDetails()).containsEntry("status", 500);
			assertThat((String) down.getDetails().get("body")).contains("ERR_OUTBOUND_HEALTH_NOT_READY");
		}
	}

	@Test
	void itsDetailsSayWhichSidecarAnswersAndHowTheBinderPublishesToIt() {
		try (FakeDaprSidecar sidecar = FakeDaprSidecar.start()) {
			DaprHealthIndicator health = new DaprHealthIndicator(properties(true, sidecar.port()));
			assertThat(check(health).getDetails()).containsEntry("runtimeVersion", "1.18.3")
				.containsEntry("publishing", "bulk requests (/v1.0/publish/bulk/{pubsub}/{topic})");
			sidecar.version(DaprVersion.V1_16);
			assertThat(check(health).getDetails()).containsEntry("runtimeVersion", "1.16.19")
				.containsEntry("publishing", "bulk requests (/v1.0-alpha1/publish/bulk/{pubsub}/{topic})");
			sidecar.metadataStatus(404);
			assertThat(check(health).getDetails()).doesNotContainKey("runtimeVersion")
				.containsEntry("publishing", "one request per event (/v1.0/publish/{pubsub}/{topic})");
		}
	}

	@Test
	void downWhenNothingListensAndUnknownWhenDisabled() {
		try (FakeDaprSidecar sidecar = FakeDaprSidecar.start()) {
			int port = sidecar.port();
			sidecar.close();
			assertThat(check(new DaprHealthIndicator(properties(true, port))).getStatus()).isEqualTo(Status.DOWN);
			assertThat(check(new DaprHealthIndicator(properties(false, port))).getStatus()).isEqualTo(Status.UNKNOWN);
		}
	}

	private static Health check(DaprHealthIndicator indicator) {
		return indicator.health().block(Duration.ofSeconds(60));
	}

	private static DaprBinderConfigurationProperties properties(boolean enabled, int port) {
		Map<String, String> properties = new HashMap<>();
		properties.put("spring.cloud.stream.dapr.binder.enabled", Boolean.toString(enabled));
		properties.put("spring.cloud.stream.dapr.binder.http-port", Integer.toString(port));
		return new Binder(List.of(new MapConfigurationPropertySource(properties)))
			.bindOrCreate("spring.cloud.stream.dapr.binder", DaprBinderConfigurationProperties.class);
	}

}
