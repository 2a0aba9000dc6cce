package com.pakaura.api.web;

import java.util.Optional;

import reactor.core.publisher.Mono;

import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;

/**
 * Who is calling: the token's subject, once Spring Security has verified it. Kept as an
 * exchange attribute for code that runs outside the request's reactive chain (the MCP
 * transport hands tools only what it extracts from the request).
 *
 * @param userId the JWT {@code sub}
 */
public record AuthenticatedCaller(String userId) {

	static final String ATTRIBUTE = AuthenticatedCaller.class.getName();

	public static Optional<AuthenticatedCaller> of(ServerWebExchange exchange) {
		return Optional.ofNullable(exchange.getAttribute(ATTRIBUTE));
	}

	/** Runs in the security chain after authentication and records the caller. */
	static WebFilter recorder() {
		return (exchange, chain) -> ReactiveSecurityContextHolder.getContext()
			.map(SecurityContext::getAuthentication)
			.doOnNext((authentication) -> exchange.getAttributes()
				.put(ATTRIBUTE, new AuthenticatedCaller(authentication.getName())))
			.then(Mono.defer(() -> chain.filter(exchange)));
	}

}
