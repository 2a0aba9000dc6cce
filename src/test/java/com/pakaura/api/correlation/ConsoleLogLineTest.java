package com.pakaura.api.correlation;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxy;
import org.junit.jupiter.api.Test;
import org.slf4j.MarkerFactory;
import org.slf4j.event.KeyValuePair;

import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.logging.logback.StructuredLogEncoder;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's log line as application.yaml configures it: Boot's Elastic Common Schema
 * line, byte for byte, at about 10 KB of garbage per access-log line rather than the 55
 * KB of Boot 4.0's own encoding, or more with a rename of members (research.md R23).
 * Allocation is counted in bytes by the JVM, not timed.
 */
class ConsoleLogLineTest {

	private static final String CONFIGURED_FORMAT_PROPERTY = "logging.structured.format.console";

	@Test
	void theConfiguredFormatWritesBootsOwnEcsLineByteForByte() throws IOException {
		Environment environment = serviceEnvironment();
		StructuredLogEncoder configured = encoder(environment, environment.getProperty(CONFIGURED_FORMAT_PROPERTY));
		StructuredLogEncoder boots = encoder(environment, "ecs");
		for (ILoggingEvent event : List.of(accessLogLine(), hostileLine(), errorLine())) {
			String line = new String(configured.encode(event), StandardCharsets.UTF_8);
			assertThat(line).isEqualTo(new String(boots.encode(event), StandardCharsets.UTF_8));
			assertThat(line).contains("\"trace\":{\"id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}")
				.contains("\"span\":{\"id\":\"00f067aa0ba902b7\"}");
		}
	}

	@Test
	void anAccessLogLineAllocatesUnder20Kilobytes() throws IOException {
		Environment environment = serviceEnvironment();
		StructuredLogEncoder configured = encoder(environment, environment.getProperty(CONFIGURED_FORMAT_PROPERTY));
		ILoggingEvent line = accessLogLine();
		// about 10 KB (JDK 17); Boot 4.0's own encoding 55 KB, and a rename of
		// members about 20 KB more
		assertThat(allocatedPerLine(configured, line)).as("bytes allocated to encode one access-log line")
			.isLessThan(20_000);
	}

	private static long allocatedPerLine(StructuredLogEncoder encoder, ILoggingEvent line) {
		com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
		long encoded = 0;
		for (int i = 0; i < 20_000; i++) {
			encoded += encoder.encode(line).length;
		}
		int lines = 5_000;
		long before = threads.getCurrentThreadAllocatedBytes();
		for (int i = 0; i < lines; i++) {
			encoded += encoder.encode(line).length;
		}
		long allocated = threads.getCurrentThreadAllocatedBytes() - before;
		assertThat(encoded).isPositive();
		return allocated / lines;
	}

	/** application.yaml's properties, as the service reads them without a profile. */
	private static Environment serviceEnvironment() throws IOException {
		StandardEnvironment environment = new StandardEnvironment();
		for (PropertySource<?> source : new YamlPropertySourceLoader().load("application.yaml",
				new ClassPathResource("application.yaml"))) {
			environment.getPropertySources().addLast(source);
		}
		return environment;
	}

	private static StructuredLogEncoder encoder(Environment environment, String format) {
		LoggerContext context = new LoggerContext();
		context.putObject(Environment.class.getName(), environment);
		StructuredLogEncoder encoder = new StructuredLogEncoder();
		encoder.setContext(context);
		encoder.setFormat(format);
		encoder.setCharset(StandardCharsets.UTF_8);
		encoder.start();
		return encoder;
	}

	/** What AccessLogWebFilter logs for each request. */
	private static LoggingEvent accessLogLine() {
		LoggingEvent event = event("com.pakaura.api.web.AccessLogWebFilter", Level.INFO, "Request handled");
		event.addKeyValuePair(new KeyValuePair("http_method", "POST"));
		event.addKeyValuePair(new KeyValuePair("http_path", "/api/tasks"));
		event.addKeyValuePair(new KeyValuePair("http_status", 201));
		event.addKeyValuePair(new KeyValuePair("duration_ms", 3L));
		return event;
	}

	private static LoggingEvent hostileLine() {
		LoggingEvent event = event("com.pakaura.api.task.TaskService", Level.WARN,
				"quote \" backslash \\ newline \n tab \t nul \u0000 bidi \u202e emoji \ud83d\ude00 lone \ud800");
		event.addKeyValuePair(new KeyValuePair("title", "</script>\u2028\u0007"));
		event.addMarker(MarkerFactory.getMarker("AUDIT"));
		return event;
	}

	private static LoggingEvent errorLine() {
		LoggingEvent event = event("com.pakaura.api.events.TaskEventPublisher", Level.ERROR,
				"Event could not be published");
		event.setThrowableProxy(new ThrowableProxy(new IllegalStateException("The binding did not accept it")));
		return event;
	}

	private static LoggingEvent event(String logger, Level level, String message) {
		LoggingEvent event = new LoggingEvent();
		event.setLoggerName(logger);
		event.setLevel(level);
		event.setMessage(message);
		event.setThreadName("reactor-tcp-epoll-1");
		event.setInstant(Instant.parse("2026-12-07T15:18:38.587710948Z"));
		event.setMDCPropertyMap(Map.of("correlation_id", "2fe84e16-b85b-4fc9-902f-24a02d9ddb24",
				LogCorrelationConfiguration.TRACE_ID_KEY, "4bf92f3577b34da6a3ce929d0e0e4736",
				LogCorrelationConfiguration.SPAN_ID_KEY, "00f067aa0ba902b7"));
		return event;
	}

}
