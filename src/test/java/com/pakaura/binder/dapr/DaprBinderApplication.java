package com.pakaura.binder.dapr;

import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The binder on its own, as a library user would have it: a Spring Boot application with
 * Spring Cloud Stream and nothing of pakaura (no database, no web server), sending
 * through {@link StreamBridge} to bindings served by the {@code dapr} binder.
 */
@SpringBootConfiguration
@EnableAutoConfiguration(excludeName = { "org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration",
		"org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
		"org.springframework.boot.data.r2dbc.autoconfigure.DataR2dbcAutoConfiguration",
		"org.springframework.boot.data.r2dbc.autoconfigure.DataR2dbcRepositoriesAutoConfiguration",
		"org.springframework.boot.r2dbc.autoconfigure.R2dbcTransactionManagerAutoConfiguration" })
class DaprBinderApplication implements AutoCloseable {

	private final ConfigurableApplicationContext context;

	private DaprBinderApplication(ConfigurableApplicationContext context) {
		this.context = context;
	}

	/** Starts it against the sidecar on this port, with these extra properties. */
	static DaprBinderApplication start(int sidecarPort, String... properties) {
		List<String> all = new ArrayList<>(
				List.of("spring.cloud.stream.default-binder=dapr", "spring.cloud.stream.dapr.binder.enabled=true",
						"spring.cloud.stream.dapr.binder.http-port=" + sidecarPort,
						"spring.cloud.stream.dapr.binder.startup-wait=0s", "spring.main.banner-mode=off",
						// StreamBridge stamps each message with its binding's content
						// type
						"spring.cloud.stream.default.content-type=application/cloudevents+json",
						// the service's application.yaml is not this application's
						// configuration
						"spring.config.name=dapr-binder-test"));
		all.addAll(List.of(properties));
		return new DaprBinderApplication(
				new SpringApplicationBuilder(DaprBinderApplication.class).web(WebApplicationType.NONE)
					.properties(all.toArray(String[]::new))
					.run());
	}

	StreamBridge streamBridge() {
		return this.context.getBean(StreamBridge.class);
	}

	MeterRegistry meters() {
		return this.context.getBean(MeterRegistry.class);
	}

	ConfigurableApplicationContext context() {
		return this.context;
	}

	/** The {@code dapr.publish} count for one outcome, across bindings. */
	double published(String outcome) {
		return published(meters(), outcome);
	}

	/**
	 * The same, read from a registry kept past {@link #close()}, when the context is
	 * gone.
	 */
	static double published(MeterRegistry meters, String outcome) {
		return meters.find("dapr.publish")
			.tag("outcome", outcome)
			.counters()
			.stream()
			.mapToDouble((c) -> c.count())
			.sum();
	}

	@Override
	public void close() {
		this.context.close();
	}

}
