package com.pakaura.binder.dapr;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.cloud.stream.binder.BinderFactory;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.messaging.MessageChannel;
import org.springframework.util.unit.DataSize;

import com.pakaura.binder.dapr.properties.DaprBinderConfigurationProperties;
import com.pakaura.binder.dapr.properties.DaprExtendedBindingProperties;
import com.pakaura.binder.dapr.properties.DaprProducerProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/** Binding maps of properties gives the settings they say. */
class DaprPropertiesTest {

	@Test
	void binderDefaultsAreTheDocumentedDefaults() {
		DaprBinderConfigurationProperties binder = bindBinder(Map.of());
		assertThat(binder.enabled()).isFalse();
		assertThat(binder.baseUrl()).isEqualTo("http://localhost:3500");
		assertThat(binder.pubsubName()).isEqualTo("pubsub-kafka");
		assertThat(binder.timeout()).isEqualTo(Duration.ofSeconds(2));
		assertThat(binder.apiToken()).isNull();
		assertThat(binder.maxInFlight()).isEqualTo(64);
		assertThat(binder.bufferSize()).isEqualTo(10_000);
		assertThat(binder.maxBodySize()).isEqualTo(DataSize.ofMegabytes(1));
	}

	@Test
	void everyBinderSettingBinds() {
		DaprBinderConfigurationProperties binder = bindBinder(Map.of("enabled", "true", "host", "dapr.internal",
				"http-port", "3600", "pubsub-name", "pubsub-redis", "timeout", "5", "api-token", "t0ken",
				"max-in-flight", "8", "buffer-size", "100", "startup-wait", "30s", "shutdown-timeout", "1m"));
		assertThat(binder.enabled()).isTrue();
		assertThat(binder.baseUrl()).isEqualTo("http://dapr.internal:3600");
		assertThat(binder.pubsubName()).isEqualTo("pubsub-redis");
		assertThat(binder.timeout()).as("a bare number is seconds").isEqualTo(Duration.ofSeconds(5));
		assertThat(binder.apiToken()).isEqualTo("t0ken");
		assertThat(binder.maxInFlight()).isEqualTo(8);
		assertThat(binder.bufferSize()).isEqualTo(100);
		assertThat(binder.startupWait()).isEqualTo(Duration.ofSeconds(30));
		assertThat(binder.shutdownTimeout()).isEqualTo(Duration.ofMinutes(1));
		assertThat(binder.toString()).doesNotContain("t0ken");
	}

	@Test
	void nonsensicalLimitsAreRefused() {
		assertThatException().isThrownBy(() -> bindBinder(Map.of("max-in-flight", "0")))
			.withStackTraceContaining("max-in-flight must be at least 1");
		assertThatException().isThrownBy(() -> bindBinder(Map.of("timeout", "0s")))
			.withStackTraceContaining("timeout must be positive");
	}

	@Test
	void theServiceTakesTheDocumentedEnvironmentNames() throws IOException {
		StandardEnvironment environment = new StandardEnvironment();
		for (PropertySource<?> source : new YamlPropertySourceLoader().load("application",
				new ClassPathResource("application.yaml"))) {
			environment.getPropertySources().addLast(source);
		}
		environment.getPropertySources()
			.addFirst(new MapPropertySource("env", Map.of("DAPR_ENABLED", "true", "DAPR_HTTP_PORT", "3999",
					"DAPR_PUBSUB_NAME", "pubsub-x", "DAPR_PUBLISH_TIMEOUT", "3", "DAPR_API_TOKEN", "abc")));
		DaprBinderConfigurationProperties binder = Binder.get(environment)
			.bind("spring.cloud.stream.dapr.binder", DaprBinderConfigurationProperties.class)
			.get();
		assertThat(binder.enabled()).isTrue();
		assertThat(binder.httpPort()).isEqualTo(3999);
		assertThat(binder.pubsubName()).isEqualTo("pubsub-x");
		assertThat(binder.timeout()).isEqualTo(Duration.ofSeconds(3));
		assertThat(binder.apiToken()).isEqualTo("abc");
	}

	@Test
	void bindingSettingsBind() {
		Map<String, String> properties = new HashMap<>();
		properties.put("spring.cloud.stream.dapr.bindings.audit.producer.pubsub-name", "pubsub-audit");
		properties.put("spring.cloud.stream.dapr.bindings.audit.producer.partition-key-expression",
				"headers['tenant']");
		properties.put("spring.cloud.stream.dapr.bindings.audit.producer.metadata.ttlInSeconds", "60");
		DaprExtendedBindingProperties bindings = new Binder(new MapConfigurationPropertySource(properties))
			.bind("spring.cloud.stream.dapr", DaprExtendedBindingProperties.class)
			.get();
		DaprProducerProperties audit = bindings.getExtendedProducerProperties("audit");
		assertThat(audit.getPubsubName()).isEqualTo("pubsub-audit");
		assertThat(audit.getPartitionKeyExpression()).isEqualTo("headers['tenant']");
		assertThat(audit.getMetadata()).containsEntry("ttlInSeconds", "60");
		DaprProducerProperties untouched = new DaprProducerProperties();
		assertThat(untouched.getPubsubName()).as("the binder's pubsub-name applies").isNull();
		assertThat(untouched.getPartitionKeyExpression()).isEqualTo("headers['partitionKey']");
	}

	@Test
	void defaultsApplyToEveryBindingAndABindingOverridesThem() {
		try (FakeDaprSidecar sidecar = FakeDaprSidecar.start();
				DaprBinderApplication app = DaprBinderApplication.start(sidecar.port(),
						"spring.cloud.stream.dapr.default.producer.pubsub-name=pubsub-default",
						"spring.cloud.stream.dapr.default.producer.metadata.ttlInSeconds=10",
						"spring.cloud.stream.dapr.bindings.audit.producer.pubsub-name=pubsub-audit")) {
			DaprMessageChannelBinder binder = (DaprMessageChannelBinder) app.context()
				.getBean(BinderFactory.class)
				.getBinder("dapr", MessageChannel.class);
			assertThat(binder.getExtendedProducerProperties("orders").getPubsubName()).isEqualTo("pubsub-default");
			assertThat(binder.getExtendedProducerProperties("orders").getMetadata()).containsEntry("ttlInSeconds",
					"10");
			assertThat(binder.getExtendedProducerProperties("audit").getPubsubName()).isEqualTo("pubsub-audit");
			assertThat(binder.getExtendedProducerProperties("audit").getMetadata()).containsEntry("ttlInSeconds", "10");
		}
	}

	private static DaprBinderConfigurationProperties bindBinder(Map<String, String> properties) {
		return BinderSettings.bind(properties);
	}

}
