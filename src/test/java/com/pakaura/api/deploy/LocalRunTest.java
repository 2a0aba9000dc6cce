package com.pakaura.api.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.pakaura.api.TestPakauraApplication;
import com.pakaura.api.support.LocalRun;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README's first command, {@code mvn spring-boot:test-run}, runs
 * {@link TestPakauraApplication}: stopped by a SIGTERM, it shuts down gracefully and
 * exits 0, which the Maven plugin reports as success (it reports the JVM's usual 143 as
 * BUILD FAILURE).
 */
class LocalRunTest {

	private static final Path LOG = Path.of("target", "local-run.log");

	@Test
	void aLocalRunStoppedBySigtermExitsCleanly() throws Exception {
		try (LocalRun run = LocalRun.start(LOG)) {
			Process process = run.process();

			process.destroy();

			assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("stopped").isTrue();
			assertThat(process.exitValue()).as("exit status; see %s", LOG).isZero();
			assertThat(Files.readString(LOG)).contains("Graceful shutdown complete");
		}
	}

}
