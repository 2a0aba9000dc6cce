package com.pakaura.api.support;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.function.Consumer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

/**
 * Real signed JWTs for the tests: valid ones, and each kind a client might wrongly send.
 */
public final class Tokens {

	/** The secret the test application verifies with (see {@link ApiTest}). */
	public static final String SECRET = "test-secret-that-is-at-least-32-bytes-long!";

	private Tokens() {
	}

	public static String forUser(String subject) {
		return hs256(SECRET, (claims) -> claims.subject(subject));
	}

	/** A valid token with the operators' scope, {@code pakaura.admin}. */
	public static String forOperator(String subject) {
		return hs256(SECRET, (claims) -> claims.subject(subject).claim("scope", "pakaura.admin"));
	}

	public static String expired(String subject) {
		Instant past = Instant.now().minus(Duration.ofHours(2));
		return hs256(SECRET, (claims) -> claims.subject(subject).issuedAt(past.minusSeconds(60)).expiresAt(past));
	}

	public static String signedWithAnotherSecret(String subject) {
		return hs256("another-secret-that-is-also-32-bytes-long!!", (claims) -> claims.subject(subject));
	}

	public static String withoutExpiry(String subject) {
		return NimbusJwtEncoder.withSecretKey(key(SECRET))
			.build()
			.encode(JwtEncoderParameters.from(JwsHeader.with(MacAlgorithm.HS256).build(),
					JwtClaimsSet.builder().subject(subject).issuedAt(Instant.now()).build()))
			.getTokenValue();
	}

	public static String withoutSubject() {
		return hs256(SECRET, (claims) -> claims.claim("name", "nobody"));
	}

	/** Signed with the right secret but HS512: the service accepts HS256 only. */
	public static String hs512(String subject) {
		return NimbusJwtEncoder
			.withSecretKey(new SecretKeySpec(SECRET.repeat(2).getBytes(StandardCharsets.UTF_8), "HmacSHA512"))
			.algorithm(MacAlgorithm.HS512)
			.build()
			.encode(JwtEncoderParameters.from(JwsHeader.with(MacAlgorithm.HS512).build(), validClaims(subject)))
			.getTokenValue();
	}

	public static String rs256(String subject) {
		KeyPair pair = rsaKeyPair();
		return NimbusJwtEncoder.withKeyPair((RSAPublicKey) pair.getPublic(), (RSAPrivateKey) pair.getPrivate())
			.build()
			.encode(JwtEncoderParameters.from(JwsHeader.with(SignatureAlgorithm.RS256).build(), validClaims(subject)))
			.getTokenValue();
	}

	/** An unsigned token ({@code "alg":"none"}), the classic forgery. */
	public static String unsigned(String subject) {
		Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
		String header = base64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
		String payload = base64.encodeToString(
				("{\"sub\":\"" + subject + "\",\"exp\":" + Instant.now().plusSeconds(600).getEpochSecond() + "}")
					.getBytes(StandardCharsets.UTF_8));
		return header + "." + payload + ".";
	}

	/**
	 * A valid HS256 token whose {@code sub} is this JSON string literal as written,
	 * escapes and all ({@code "mallory\\ud800"}): JSON libraries would not write a lone
	 * surrogate escape.
	 */
	public static String withSubjectJson(String subjectLiteral) {
		Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
		long now = Instant.now().getEpochSecond();
		String header = base64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
		String claims = "{\"sub\":" + subjectLiteral + ",\"iat\":" + now + ",\"exp\":" + (now + 600) + "}";
		String signingInput = header + "." + base64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(key(SECRET));
			return signingInput + "."
					+ base64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String hs256(String secret, Consumer<JwtClaimsSet.Builder> claims) {
		JwtClaimsSet.Builder builder = JwtClaimsSet.builder()
			.issuedAt(Instant.now())
			.expiresAt(Instant.now().plus(Duration.ofMinutes(10)));
		claims.accept(builder);
		return NimbusJwtEncoder.withSecretKey(key(secret))
			.build()
			.encode(JwtEncoderParameters.from(JwsHeader.with(MacAlgorithm.HS256).build(), builder.build()))
			.getTokenValue();
	}

	private static JwtClaimsSet validClaims(String subject) {
		return JwtClaimsSet.builder()
			.subject(subject)
			.issuedAt(Instant.now())
			.expiresAt(Instant.now().plus(Duration.ofMinutes(10)))
			.build();
	}

	private static SecretKeySpec key(String secret) {
		return new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
	}

	private static KeyPair rsaKeyPair() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(2048);
			return generator.generateKeyPair();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
