package com.pakaura.api.web;

import java.util.List;
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
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
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
			.hasMessageContaining("No way to verify bearer tokens is configured"));
	}

	@Test
	void aSecretAndAnIdentityProviderTogetherAreRefused() {
		this.auth
			.withPropertyValues("pakaura.auth.jwt-secret=" + "s".repeat(32),
					"pakaura.auth.jwk-set-uri=http://idp.example/jwks")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("configure exactly one way to verify tokens"));
	}

	@Test
	void anIdentityProviderNeedsNoSecretAndIsNotAskedAtStartUp() {
		// nothing listens on these: the keys and the OpenID configuration are fetched on
		// first use, so the service starts while its provider is down
		for (String provider : List.of("pakaura.auth.jwk-set-uri=http://127.0.0.1:9/jwks",
				"pakaura.auth.issuer-uri=http://127.0.0.1:9/realms/pakaura")) {
			this.auth.withPropertyValues(provider)
				.run((context) -> assertThat(context).hasNotFailed()
					.hasSingleBean(ReactiveJwtDecoder.class)
					.doesNotHaveBean(JwtSigningKey.class));
		}
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
				.hasSingleBean(ReactiveJwtDecoder.class)
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
			// a newcomer's first start says nothing it need not: springdoc's setting is
			// stated
			assertThat(output.getOut()).doesNotContain("SpringDoc /v3/api-docs endpoint is enabled by default");
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
