package com.pakaura.api.web;

import java.time.Instant;
import java.util.Objects;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

/**
 * Bearer tokens: HS256 only, signed with {@code AUTH_JWT_SECRET}, with an expiry and a
 * subject (the user id). Tokens signed with any other algorithm, including {@code none},
 * are refused by the decoder.
 */
@Configuration(proxyBeanMethods = false)
class AuthConfiguration {

	/** Task rows keep the user id in a varchar(255). */
	static final int MAX_SUBJECT_LENGTH = 255;

	@Bean
	@Profile("!local")
	JwtSigningKey jwtSigningKey(AuthProperties properties) {
		return JwtSigningKey.fromSecret(properties.jwtSecret());
	}

	@Bean
	ReactiveJwtDecoder jwtDecoder(JwtSigningKey signingKey) {
		NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder.withSecretKey(signingKey.secretKey())
			.macAlgorithm(MacAlgorithm.HS256)
			.build();
		decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(JwtValidators.createDefault(),
				new JwtClaimValidator<Instant>(JwtClaimNames.EXP, Objects::nonNull),
				new JwtClaimValidator<String>(JwtClaimNames.SUB,
						(subject) -> subject != null && !subject.isBlank() && subject.length() <= MAX_SUBJECT_LENGTH)));
		return decoder;
	}

}
