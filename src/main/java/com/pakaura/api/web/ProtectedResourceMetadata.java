package com.pakaura.api.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.util.StringUtils;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728) for the MCP endpoint, as the MCP
 * specification's authorization flow asks: a 401 from {@code /mcp} names this document
 * ({@code WWW-Authenticate: Bearer resource_metadata="..."}), and the document names the
 * authorization server that issues tokens for it, when one is configured
 * ({@code AUTH_JWT_ISSUER_URI}). Open: a client reads it before it has a token.
 */
@Configuration(proxyBeanMethods = false)
public class ProtectedResourceMetadata {

	/** The MCP endpoint: the protected resource this document describes. */
	public static final String MCP_PATH = "/mcp";

	static final String WELL_KNOWN = "/.well-known/oauth-protected-resource";

	@Bean
	RouterFunction<ServerResponse> protectedResourceMetadataRoutes(AuthProperties auth) {
		// RFC 9728 section 3.1: the resource's path follows the well-known prefix; the
		// bare prefix is answered too, for clients that look there
		return RouterFunctions.route()
			.GET(WELL_KNOWN + MCP_PATH, (request) -> metadata(request, auth))
			.GET(WELL_KNOWN, (request) -> metadata(request, auth))
			.build();
	}

	/** Where a client finds this document, as the 401's challenge names it. */
	static String metadataUrl(ServerWebExchange exchange) {
		return baseUrl(exchange) + WELL_KNOWN + MCP_PATH;
	}

	static boolean isProtectedResource(ServerWebExchange exchange) {
		String path = exchange.getRequest().getPath().pathWithinApplication().value();
		return path.equals(MCP_PATH) || path.startsWith(MCP_PATH + "/");
	}

	private static Mono<ServerResponse> metadata(ServerRequest request, AuthProperties auth) {
		Map<String, Object> document = new LinkedHashMap<>();
		document.put("resource", baseUrl(request.exchange()) + MCP_PATH);
		if (StringUtils.hasText(auth.issuerUri())) {
			document.put("authorization_servers", List.of(auth.issuerUri()));
		}
		document.put("bearer_methods_supported", List.of("header"));
		document.put("resource_name", "pakaura-api tasks (MCP)");
		return ServerResponse.ok()
			.contentType(MediaType.APPLICATION_JSON)
			// derived from the request's own address: no shared cache may keep it
			.cacheControl(CacheControl.noStore())
			.bodyValue(document);
	}

	/**
	 * The address the client reached, as the request (and, where the k8s profile trusts
	 * them, forwarded headers) says: the resource identifier must be the URL the client
	 * uses.
	 */
	private static String baseUrl(ServerWebExchange exchange) {
		return UriComponentsBuilder.fromUri(exchange.getRequest().getURI())
			.replacePath(exchange.getRequest().getPath().contextPath().value())
			.replaceQuery(null)
			.fragment(null)
			.build()
			.toUriString();
	}

}
