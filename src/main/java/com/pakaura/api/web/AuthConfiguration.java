package com.pakaura.api.web;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.util.StringUtils;

import com.pakaura.api.task.UnicodeText;

/**
 * Bearer tokens, with an expiry and a subject (the user id), verified in the one way
 * {@link AuthProperties} configures: against an identity provider's published keys (RS256
 * or ES256; the issuer checked when configured), or with the shared HS256 secret. Any
 * other algorithm, {@code none} included, is refused by the decoder; so is a token
 * without the configured audience.
 */
@Configuration(proxyBeanMethods = false)
class AuthConfiguration {

	/** Task rows keep the user id in a varchar(255). */
	static final int MAX_SUBJECT_LENGTH = 255;

	/** What identity providers sign with: RSA and elliptic-curve keys. */
	private static final Set<SignatureAlgorithm> PROVIDER_ALGORITHMS = Set.of(SignatureAlgorithm.RS256,
			SignatureAlgorithm.ES256);

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

	/**
	 * @param localKey the local profile's key, which may be random; elsewhere the key is
	 * {@code AUTH_JWT_SECRET}'s
	 * @throws IllegalStateException at start-up when no way, or both, are configured
	 */
	@Bean
	ReactiveJwtDecoder jwtDecoder(AuthProperties auth, ObjectProvider<JwtSigningKey> localKey) {
		auth.checkOneMode();
		List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
		NimbusReactiveJwtDecoder decoder;
		if (auth.usesIdentityProvider()) {
			decoder = identityProviderDecoder(auth);
			validators.add(StringUtils.hasText(auth.issuerUri())
					? JwtValidators.createDefaultWithIssuer(Objects.requireNonNull(auth.issuerUri()))
					: JwtValidators.createDefault());
		}
		else {
			JwtSigningKey key = localKey.getIfAvailable(() -> JwtSigningKey.fromSecret(auth.jwtSecret()));
			decoder = NimbusReactiveJwtDecoder.withSecretKey(key.secretKey()).macAlgorithm(MacAlgorithm.HS256).build();
			validators.add(JwtValidators.createDefault());
		}
		validators.add(new JwtClaimValidator<Instant>(JwtClaimNames.EXP, Objects::nonNull));
		validators.add(new JwtClaimValidator<String>(JwtClaimNames.SUB, AuthConfiguration::isUsableSubject));
		String audience = auth.audience();
		if (StringUtils.hasText(audience)) {
			validators.add(new JwtClaimValidator<List<String>>(JwtClaimNames.AUD,
					(named) -> named != null && named.contains(audience)));
		}
		decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(validators));
		return decoder;
	}

	/**
	 * Keys from the JWK set: fetched on first use, cached, and fetched again when a token
	 * names a key id the cache does not have (a rotated key). Without a JWK set URI, the
	 * issuer's OpenID configuration names it, also on first use, so the service starts
	 * while the provider is down.
	 */
	private static NimbusReactiveJwtDecoder identityProviderDecoder(AuthProperties auth) {
		String jwkSetUri = auth.jwkSetUri();
		NimbusReactiveJwtDecoder.JwkSetUriReactiveJwtDecoderBuilder keys = StringUtils.hasText(jwkSetUri)
				? NimbusReactiveJwtDecoder.withJwkSetUri(jwkSetUri)
				: NimbusReactiveJwtDecoder.withIssuerLocation(Objects.requireNonNull(auth.issuerUri()));
		return keys.jwsAlgorithms((algorithms) -> algorithms.addAll(PROVIDER_ALGORITHMS)).build();
	}

}
