package com.pakaura.api.web;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.api.PakauraApplication;
import com.pakaura.api.support.GenerousTimeouts;
import com.pakaura.api.support.TestDatabaseConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/** The JWT secret rules, and the local profile's zero-setup token. */
@ExtendWith(OutputCaptureExtension.class)
class StartupTest {

	private final ApplicationContextRunner auth = new ApplicationContextRunner().withUserConfiguration(
			AuthConfiguration.class, LocalDevelopmentAuthConfiguration.class, AuthPropertiesBinding.class);

	@Test
	void outsideTheLocalProfileTheServiceRefusesToStartWithoutASecret() {
		this.auth.run((context) -> assertThat(context).hasFailed()
			.getFailure()
			.rootCause()
			.hasMessageContaining("AUTH_JWT_SECRET is not set"));
	}

	@Test
	void aSecretShorterThan32BytesIsRefused() {
		this.auth.withPropertyValues("pakaura.auth.jwt-secret=" + "s".repeat(31))
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("31 bytes long; HS256 needs at least 32 bytes"));
	}

	@Test
	void withASecretThereIsNoDemoTokenOutsideLocal() {
		this.auth.withPropertyValues("pakaura.auth.jwt-secret=" + "s".repeat(32))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(JwtSigningKey.class)
				.doesNotHaveBean("demoTokenAnnouncer"));
	}

	@Test
	void theLocalProfileStartsWithoutASecretAndLogsAWorkingToken(CapturedOutput output) {
		try (ConfigurableApplicationContext app = SpringApplication.from(PakauraApplication::main)
			.with(TestDatabaseConfiguration.class)
			.withAdditionalProfiles("local")
			.run("--server.port=0", "--pakaura.auth.jwt-secret=")
			.getApplicationContext()) {
			Matcher token = Pattern.compile("export TOKEN=([A-Za-z0-9_.-]+)").matcher(output.getOut());
			assertThat(token.find()).as("a token in the log").isTrue();
			int port = ((WebServerApplicationContext) app).getWebServer().getPort();
			WebTestClient.bindToServer()
				.baseUrl("http://localhost:" + port)
				.responseTimeout(GenerousTimeouts.PATIENCE)
				.build()
				.get()
				.uri("/api/tasks")
				.headers((headers) -> headers.setBearerAuth(token.group(1)))
				.exchange()
				.expectStatus()
				.isOk();
		}
	}

	@EnableConfigurationProperties(AuthProperties.class)
	static class AuthPropertiesBinding {

	}

}
