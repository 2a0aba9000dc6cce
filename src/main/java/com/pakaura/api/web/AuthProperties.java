package com.pakaura.api.web;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.StringUtils;

/**
 * How callers prove who they are: bearer JWTs, verified in exactly one of two ways.
 * <ul>
 * <li>An identity provider (Keycloak, Auth0, Entra ID, ...): {@code issuerUri} and/or
 * {@code jwkSetUri}; RS256/ES256 signatures checked against the provider's published
 * keys.</li>
 * <li>A shared secret for local use: {@code jwtSecret}, HS256.</li>
 * </ul>
 *
 * @param jwtSecret the HS256 key that signs bearer tokens, at least 32 bytes (env
 * {@code AUTH_JWT_SECRET})
 * @param issuerUri the identity provider's issuer (env {@code AUTH_JWT_ISSUER_URI}):
 * tokens must carry it as {@code iss}; its keys are found through its OpenID
 * configuration unless {@code jwkSetUri} names them
 * @param jwkSetUri where the provider publishes its signing keys (env
 * {@code AUTH_JWT_JWK_SET_URI})
 * @param audience when set, tokens must name it in {@code aud} (env
 * {@code AUTH_JWT_AUDIENCE})
 */
@ConfigurationProperties("pakaura.auth")
public record AuthProperties(@Nullable String jwtSecret, @Nullable String issuerUri, @Nullable String jwkSetUri,
		@Nullable String audience) {

	/** Whether tokens come from an identity provider rather than the shared secret. */
	public boolean usesIdentityProvider() {
		return StringUtils.hasText(this.issuerUri) || StringUtils.hasText(this.jwkSetUri);
	}

	public boolean hasSecret() {
		return StringUtils.hasText(this.jwtSecret);
	}

	/**
	 * @throws IllegalStateException when both ways are configured: one of them would be
	 * silently ignored
	 */
	void checkOneMode() {
		if (usesIdentityProvider() && hasSecret()) {
			throw new IllegalStateException("Both AUTH_JWT_SECRET and an identity provider (AUTH_JWT_ISSUER_URI or"
					+ " AUTH_JWT_JWK_SET_URI) are set: configure exactly one way to verify tokens");
		}
	}

}
