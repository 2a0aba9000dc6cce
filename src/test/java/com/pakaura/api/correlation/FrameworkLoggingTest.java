package com.pakaura.api.correlation;

import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring's own log calls (Commons Logging, which Spring Framework 7 logs through) render
 * a lazy message only when its level is on. Spring Security logs a {@code LogMessage} at
 * DEBUG or TRACE for every matcher of every request; Commons Logging 1.3's SLF4J adapter
 * renders it first and asks the level after (spring-projects/spring-framework#37266), so
 * the service names Commons Logging's Log4j API adapter, which asks first, and which
 * reaches Logback through log4j-to-slf4j (research.md R23).
 */
class FrameworkLoggingTest {

	private static final String LOGGER = "org.springframework.security.web.server.util.matcher";

	private final Logger logback = (Logger) LoggerFactory.getLogger(LOGGER);

	private Level levelBefore;

	/** INFO, as the service runs it, whatever configuration this JVM's Logback has. */
	@BeforeEach
	void logAtInfo() {
		this.levelBefore = this.logback.getLevel();
		this.logback.setLevel(Level.INFO);
	}

	@AfterEach
	void restoreLevel() {
		this.logback.setLevel(this.levelBefore);
	}

	@Test
	void aMessageAtALevelThatIsOffIsNeverRendered() {
		Log log = LogFactory.getLog(LOGGER);
		assertThat(log.isDebugEnabled()).isFalse();
		AtomicInteger rendered = new AtomicInteger();
		Object message = new Object() {
			@Override
			public String toString() {
				rendered.incrementAndGet();
				return "Checking match of request";
			}
		};
		log.debug(message);
		log.trace(message);
		assertThat(rendered).as("times the message was rendered").hasValue(0);
	}

	@Test
	void aMessageAtALevelThatIsOnReachesTheLog() {
		Log log = LogFactory.getLog(LOGGER);
		assertThat(log.isWarnEnabled()).isTrue();
		AtomicInteger rendered = new AtomicInteger();
		log.warn(new Object() {
			@Override
			public String toString() {
				rendered.incrementAndGet();
				return "rendered once";
			}
		});
		assertThat(rendered).hasValue(1);
	}

}
