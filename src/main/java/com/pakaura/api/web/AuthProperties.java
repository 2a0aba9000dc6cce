package com.pakaura.api.web;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How callers prove who they are.
 *
 * @param jwtSecret the HS256 key that signs bearer tokens, at least 32 bytes (env
 * {@code AUTH_JWT_SECRET}); required outside the {@code local} profile
 */
@ConfigurationProperties("pakaura.auth")
public record AuthProperties(@Nullable String jwtSecret) {

}
