package org.springframework.boot.logging.logback;

import java.nio.charset.Charset;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.logging.StackTracePrinter;
import org.springframework.boot.logging.structured.ContextPairs;
import org.springframework.boot.logging.structured.StructuredLoggingJsonMembersCustomizer;
import org.springframework.core.env.Environment;

/**
 * Spring Boot's Elastic Common Schema log line, byte for byte, written to a
 * {@code String} once and then encoded. Boot 4.0's {@code formatAsBytes} writes the line
 * through an {@code OutputStreamWriter}, to which {@code JsonValueWriter} hands every
 * character of every string value one at a time, and each character is a new
 * {@code char[1]} and {@code CharBuffer} on its way to the encoder: 34 KB of garbage per
 * access-log line, a tenth of what a {@code POST /api/tasks} allocated
 * (spring-projects/spring-boot#49428, whose fix is in 4.1.1's release notes; research.md
 * R23). With Boot 4.1.1 or later, measure {@code ConsoleLogLineTest} with {@code ecs}; if
 * it passes, delete this class and set {@code logging.structured.format.console} back to
 * {@code ecs}.
 * <p>
 * It lives in Boot's package because Boot's formatter is package-private; a change of its
 * constructor breaks the build here, not the logs.
 */
public class EncodedOnceEcsFormatter extends ElasticCommonSchemaStructuredLogFormatter {

	/** Called by Boot's structured logging with what it gives every formatter. */
	public EncodedOnceEcsFormatter(Environment environment, @Nullable StackTracePrinter stackTracePrinter,
			ContextPairs contextPairs, ThrowableProxyConverter throwableProxyConverter,
			StructuredLoggingJsonMembersCustomizer.Builder<?> customizerBuilder) {
		super(environment, stackTracePrinter, contextPairs, throwableProxyConverter, customizerBuilder);
	}

	@Override
	public byte[] formatAsBytes(ILoggingEvent event, Charset charset) {
		return format(event).getBytes(charset);
	}

}
