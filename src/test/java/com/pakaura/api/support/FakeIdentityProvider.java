package com.pakaura.api.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An OpenID provider as the service sees one (Keycloak's paths): its discovery document
 * and its JWK set over real HTTP, and tokens signed with its RSA or EC keys. Keys can be
 * rotated in, and tokens signed with keys it never published.
 */
public final class FakeIdentityProvider implements AutoCloseable {

	public static final String AUDIENCE = "pakaura-api";

	private static final String REALM = "/realms/pakaura";

	private final HttpServer server;

	private final List<JWK> published = new CopyOnWriteArrayList<>();

	private final AtomicInteger keySetFetches = new AtomicInteger();

	private FakeIdentityProvider(HttpServer server) {
		this.server = server;
	}

	public static FakeIdentityProvider start() {
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			FakeIdentityProvider provider = new FakeIdentityProvider(server);
			server.createContext(REALM + "/.well-known/openid-configuration",
					(exchange) -> provider.answer(exchange, "{\"issuer\":\"" + provider.issuer() + "\",\"jwks_uri\":\""
							+ provider.issuer() + "/protocol/openid-connect/certs\"}"));
			server.createContext(REALM + "/protocol/openid-connect/certs", (exchange) -> {
				provider.keySetFetches.incrementAndGet();
				provider.answer(exchange, new JWKSet(provider.published).toPublicJWKSet().toString());
			});
			server.start();
			return provider;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public String issuer() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort() + REALM;
	}

	/** How often the service has fetched the key set. */
	public int keySetFetches() {
		return this.keySetFetches.get();
	}

	/** A new RSA key, published from now on. */
	public RSAKey publishRsaKey(String keyId) {
		RSAKey key = rsaKey(keyId);
		this.published.add(key);
		return key;
	}

	/** A new P-256 key, published from now on. */
	public ECKey publishEcKey(String keyId) {
		ECKey key = ecKey(keyId);
		this.published.add(key);
		return key;
	}

	/** An RSA key that this provider never publishes. */
	public static RSAKey rsaKey(String keyId) {
		try {
			return new RSAKeyGenerator(2048).keyID(keyId).generate();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static ECKey ecKey(String keyId) {
		try {
			return new ECKeyGenerator(Curve.P_256).keyID(keyId).generate();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * A token for the user, valid for an hour, from this issuer for {@link #AUDIENCE},
	 * changed as the caller wants.
	 */
	public String token(JWK key, String subject, Consumer<JWTClaimsSet.Builder> changes) {
		Instant now = Instant.now();
		JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(issuer())
			.audience(AUDIENCE)
			.subject(subject)
			.issueTime(Date.from(now))
			.expirationTime(Date.from(now.plus(Duration.ofHours(1))));
		changes.accept(claims);
		try {
			boolean rsa = key instanceof RSAKey;
			SignedJWT jwt = new SignedJWT(
					new JWSHeader.Builder(rsa ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
					claims.build());
			jwt.sign(rsa ? new RSASSASigner((RSAKey) key) : new ECDSASigner((ECKey) key));
			return jwt.serialize();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public String token(JWK key, String subject) {
		return token(key, subject, (claims) -> {
		});
	}

	private void answer(HttpExchange exchange, String json) throws IOException {
		byte[] body = json.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.sendResponseHeaders(200, body.length);
		exchange.getResponseBody().write(body);
		exchange.close();
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

}
