package com.pakaura.api.web;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;

/** The HS256 key that bearer tokens are verified with, when no identity provider is. */
public final class JwtSigningKey {

	/** HS256 wants a key as long as its hash: 256 bits. */
	static final int MINIMUM_BYTES = 32;

	private final SecretKey key;

	private JwtSigningKey(byte[] secret) {
		this.key = new SecretKeySpec(secret, "HmacSHA256");
	}

	/**
	 * @throws IllegalStateException when the secret is missing or shorter than 32 bytes
	 */
	static JwtSigningKey fromSecret(@Nullable String secret) {
		if (secret == null || secret.isEmpty()) {
			throw new IllegalStateException("No way to verify bearer tokens is configured: set AUTH_JWT_ISSUER_URI"
					+ " and/or AUTH_JWT_JWK_SET_URI (an identity provider), or AUTH_JWT_SECRET (an HS256 secret of at least "
					+ MINIMUM_BYTES + " bytes). Only the 'local' profile runs without one.");
		}
		byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
		if (bytes.length < MINIMUM_BYTES) {
			throw new IllegalStateException("AUTH_JWT_SECRET is " + bytes.length + " bytes long; HS256 needs at least "
					+ MINIMUM_BYTES + " bytes");
		}
		return new JwtSigningKey(bytes);
	}

	static JwtSigningKey random() {
		byte[] bytes = new byte[MINIMUM_BYTES];
		new SecureRandom().nextBytes(bytes);
		return new JwtSigningKey(bytes);
	}

	SecretKey secretKey() {
		return this.key;
	}

	@Override
	public String toString() {
		return "JwtSigningKey[HS256, secret hidden]";
	}

}
