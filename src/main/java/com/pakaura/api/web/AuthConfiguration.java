package com.pakaura.api.web;

import java.time.Instant;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

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

import com.pakaura.api.task.UnicodeText;

/**
 * Bearer tokens: HS256 only, signed with {@code AUTH_JWT_SECRET}, with an expiry and a
 * subject (the user id). Tokens signed with any other algorithm, including {@code none},
 * are refused by the decoder.
 */
@Configuration(proxyBeanMethods = false)
class AuthConfiguration {

	/** Task rows keep the user id in a varchar(255). */
	static final int MAX_SUBJECT_LENGTH = 255;

	/**
	 * A subject names one user's tasks, so it must name exactly one: text that PostgreSQL
	 * stores unchanged (a lone surrogate would become {@code ?} and merge two subjects),
	 * with no control characters (NUL cannot be stored at all), not blank, and short
	 * enough for the column.
	 */
	static boolean isUsableSubject(@Nullable String subject) {
		return subject != null && subject.length() <= MAX_SUBJECT_LENGTH && UnicodeText.isWellFormed(subject)
				&& !UnicodeText.hasControlCharacter(subject) && !UnicodeText.isBlank(subject);
	}

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
				new JwtClaimValidator<String>(JwtClaimNames.SUB, AuthConfiguration::isUsableSubject)));
		return decoder;
	}

}
