package com.pakaura.api.web;

import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

/**
 * The {@code local} profile only: a newcomer can call the API a minute after starting it.
 * Without {@code AUTH_JWT_SECRET} a random secret is made for this run, and once the
 * service is up a ready-to-use token for a demo user is logged. Nothing of this exists in
 * any other profile.
 */
@Configuration(proxyBeanMethods = false)
@Profile("local")
class LocalDevelopmentAuthConfiguration {

	static final String DEMO_USER = "demo-user";

	private static final Duration DEMO_TOKEN_LIFETIME = Duration.ofHours(12);

	private static final Logger log = LoggerFactory.getLogger(LocalDevelopmentAuthConfiguration.class);

	@Bean
	JwtSigningKey jwtSigningKey(AuthProperties properties) {
		String secret = properties.jwtSecret();
		if (secret == null || secret.isEmpty()) {
			log.warn("AUTH_JWT_SECRET is not set: signing tokens with a random secret for this run only");
			return JwtSigningKey.random();
		}
		return JwtSigningKey.fromSecret(secret);
	}

	@Bean
	ApplicationListener<ApplicationReadyEvent> demoTokenAnnouncer(JwtSigningKey signingKey, AuthProperties properties) {
		return (event) -> {
			if (properties.usesIdentityProvider()) {
				// tokens come from the provider: one signed here would be refused
				return;
			}
			Instant now = Instant.now();
			JwtClaimsSet claims = JwtClaimsSet.builder()
				.subject(DEMO_USER)
				.issuedAt(now)
				.expiresAt(now.plus(DEMO_TOKEN_LIFETIME))
				.build();
			String token = NimbusJwtEncoder.withSecretKey(signingKey.secretKey())
				.build()
				.encode(JwtEncoderParameters.from(JwsHeader.with(MacAlgorithm.HS256).build(), claims))
				.getTokenValue();
			log.info("Local profile: a token for user '{}', valid for {} hours:\nexport TOKEN={}", DEMO_USER,
					DEMO_TOKEN_LIFETIME.toHours(), token);
		};
	}

}
