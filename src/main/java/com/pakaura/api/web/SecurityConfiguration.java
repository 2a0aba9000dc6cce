package com.pakaura.api.web;

import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.BearerTokenError;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.web.server.ServerWebExchange;

/**
 * Stateless bearer-token security: every route needs a valid JWT except the health
 * probes, the metrics scrape and the Dapr sidecar's subscription query. Refusals are
 * problem+json with the {@code WWW-Authenticate} challenge of RFC 6750.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	@Bean
	SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http, ReactiveJwtDecoder jwtDecoder,
			Problems problems) {
		ServerAuthenticationEntryPoint unauthenticated = (exchange, ex) -> challenge(exchange, ex, problems);
		ServerAccessDeniedHandler forbidden = (exchange, ex) -> problems.write(exchange,
				Problems.of(HttpStatus.FORBIDDEN, "The token does not allow this request"));
		return http.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
			.formLogin(ServerHttpSecurity.FormLoginSpec::disable)
			.logout(ServerHttpSecurity.LogoutSpec::disable)
			.requestCache((cache) -> cache.requestCache(NoOpServerRequestCache.getInstance()))
			.securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
			.authorizeExchange((routes) -> routes
				.pathMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus", "/actuator/info")
				.permitAll()
				// the OpenAPI document: how to call the API is no secret, the API is
				.pathMatchers(HttpMethod.GET, "/v3/api-docs", "/v3/api-docs.yaml")
				.permitAll()
				// RFC 9728 metadata: MCP clients read it to find out how to get a token
				.pathMatchers(HttpMethod.GET, ProtectedResourceMetadata.WELL_KNOWN,
						ProtectedResourceMetadata.WELL_KNOWN + "/**")
				.permitAll()
				// the Dapr sidecar asks for the subscriptions at start and delivers to
				// them, without a
				// user token (with APP_API_TOKEN set, the binder checks the sidecar's)
				.pathMatchers(HttpMethod.GET, "/dapr/subscribe")
				.permitAll()
				.pathMatchers(HttpMethod.POST, "/dapr/subscriptions/*")
				.permitAll()
				// the local profile's stream page (the route exists in no other profile);
				// the page
				// itself sends the token with every call it makes
				.pathMatchers(HttpMethod.GET, "/local/stream")
				.permitAll()
				// operators only: the outbox's parked events and their resubmission
				.pathMatchers("/actuator/outbox", "/actuator/outbox/**")
				.hasAuthority("SCOPE_pakaura.admin")
				.anyExchange()
				.authenticated())
			.oauth2ResourceServer((resourceServer) -> resourceServer.jwt((jwt) -> jwt.jwtDecoder(jwtDecoder))
				.authenticationEntryPoint(unauthenticated)
				.accessDeniedHandler(forbidden))
			.exceptionHandling(
					(handling) -> handling.authenticationEntryPoint(unauthenticated).accessDeniedHandler(forbidden))
			.addFilterAfter(AuthenticatedCaller.recorder(), SecurityWebFiltersOrder.AUTHENTICATION)
			.build();
	}

	/**
	 * Spring Security's firewall refuses some requests before any route sees them (an
	 * encoded NUL or slash in the path, {@code TRACE}, unknown methods): they get a
	 * problem too, with the correlation id, instead of a bare 400.
	 */
	@Bean
	ServerExchangeRejectedHandler problemForRejectedExchange(Problems problems) {
		return (exchange, ex) -> problems.write(exchange, Problems.of(HttpStatus.BAD_REQUEST,
				"The request was refused: its method or the characters of its URL are not allowed"));
	}

	private static Mono<Void> challenge(ServerWebExchange exchange, AuthenticationException ex, Problems problems) {
		String detail = "A valid bearer token is required: Authorization: Bearer <JWT>";
		String challenge = "Bearer";
		if (ex instanceof OAuth2AuthenticationException oauth && oauth.getError() instanceof BearerTokenError error) {
			detail = "The bearer token was refused: " + error.getDescription();
			challenge = "Bearer error=\"" + error.getErrorCode() + "\", error_description=\""
					+ error.getDescription().replace("\"", "'") + "\"";
		}
		if (ProtectedResourceMetadata.isProtectedResource(exchange)) {
			// the MCP authorization flow starts here (RFC 9728 section 5.1)
			challenge += (challenge.equals("Bearer") ? " " : ", ") + "resource_metadata=\""
					+ ProtectedResourceMetadata.metadataUrl(exchange) + "\"";
		}
		exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, challenge);
		ProblemDetail problem = Problems.of(HttpStatus.UNAUTHORIZED, detail);
		return problems.write(exchange, problem);
	}

}
