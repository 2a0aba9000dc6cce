package com.pakaura.api.web;

import java.util.Date;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.api.support.ApiTest;
import com.pakaura.api.support.FakeIdentityProvider;
import com.pakaura.api.support.Tokens;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tokens from an identity provider: the service finds the provider's keys through its
 * OpenID configuration (AUTH_JWT_ISSUER_URI), accepts RS256 and ES256 tokens of that
 * issuer for its audience, follows a key rotation, and refuses everything else with the
 * same 401 problem as a bad shared-secret token.
 */
@ApiTest
class IdentityProviderAuthTest {

	private static final FakeIdentityProvider PROVIDER = FakeIdentityProvider.start();

	private static final RSAKey FIRST_KEY = PROVIDER.publishRsaKey("rsa-1");

	private static final ECKey EC_KEY = PROVIDER.publishEcKey("ec-1");

	@DynamicPropertySource
	static void provider(DynamicPropertyRegistry properties) {
		properties.add("pakaura.auth.jwt-secret", () -> "");
		properties.add("pakaura.auth.issuer-uri", PROVIDER::issuer);
		properties.add("pakaura.auth.audience", () -> FakeIdentityProvider.AUDIENCE);
	}

	@AfterAll
	static void stopProvider() {
		PROVIDER.close();
	}

	@Autowired
	private WebTestClient http;

	@Test
	void rs256AndEs256TokensOfTheProviderAreAccepted() {
		assertThat(status(PROVIDER.token(FIRST_KEY, "alice"))).isEqualTo(200);
		assertThat(status(PROVIDER.token(EC_KEY, "alice"))).isEqualTo(200);
	}

	@Test
	void aRotatedInKeyIsFetchedWhenATokenFirstNamesIt() {
		assertThat(status(PROVIDER.token(FIRST_KEY, "bob"))).isEqualTo(200);
		int fetches = PROVIDER.keySetFetches();
		RSAKey rotated = PROVIDER.publishRsaKey("rsa-" + System.nanoTime());
		assertThat(status(PROVIDER.token(rotated, "bob"))).isEqualTo(200);
		assertThat(PROVIDER.keySetFetches()).as("the key set fetched again for the new kid").isGreaterThan(fetches);
		assertThat(status(PROVIDER.token(FIRST_KEY, "bob"))).as("the old key, still published").isEqualTo(200);
	}

	@Test
	void aTokenWhoseKeyTheProviderNeverPublishedIsRefused() {
		RSAKey unknown = FakeIdentityProvider.rsaKey("rsa-1");
		// same kid as a published key, other key material: the signature fails
		assertUnauthorized(PROVIDER.token(unknown, "mallory"));
		// a kid the provider does not know
		assertUnauthorized(PROVIDER.token(FakeIdentityProvider.rsaKey("never-published"), "mallory"));
	}

	@Test
	void tokensForAnotherAudienceOrIssuerOrExpiredAreRefused() {
		assertUnauthorized(PROVIDER.token(FIRST_KEY, "carol", (claims) -> claims.audience("another-api")));
		assertUnauthorized(PROVIDER.token(FIRST_KEY, "carol", (claims) -> claims.audience((String) null)));
		assertUnauthorized(
				PROVIDER.token(FIRST_KEY, "carol", (claims) -> claims.issuer("http://127.0.0.1:9/realms/other")));
		assertUnauthorized(PROVIDER.token(FIRST_KEY, "carol",
				(claims) -> claims.expirationTime(new Date(System.currentTimeMillis() - 3_600_000))));
	}

	@Test
	void theMcpResourceMetadataNamesTheProviderAsItsAuthorizationServer() {
		this.http.get()
			.uri("/.well-known/oauth-protected-resource/mcp")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.authorization_servers[0]")
			.isEqualTo(PROVIDER.issuer());
	}

	@Test
	void sharedSecretTokensAreRefusedOnceAProviderIsConfigured() {
		assertUnauthorized(Tokens.forUser("dave"));
	}

	private int status(String token) {
		return this.http.get()
			.uri("/api/tasks")
			.headers((headers) -> headers.setBearerAuth(token))
			.exchange()
			.returnResult(Void.class)
			.getStatus()
			.value();
	}

	private void assertUnauthorized(String token) {
		this.http.get()
			.uri("/api/tasks")
			.headers((headers) -> headers.setBearerAuth(token))
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader()
			.value(HttpHeaders.WWW_AUTHENTICATE, (challenge) -> assertThat(challenge).startsWith("Bearer"));
	}

}
