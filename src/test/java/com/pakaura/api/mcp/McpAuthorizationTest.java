package com.pakaura.api.mcp;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.api.support.ApiTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MCP specification's authorization flow, up to the point where a client goes to the
 * authorization server: a 401 from {@code /mcp} names the RFC 9728 metadata, which is
 * open and names the resource. (With an identity provider configured it also names the
 * provider: {@code IdentityProviderAuthTest}.)
 */
@ApiTest
class McpAuthorizationTest {

	@LocalServerPort
	private int port;

	@Autowired
	private WebTestClient http;

	@Test
	void aCallWithoutTokenIsToldWhereTheResourceMetadataIs() {
		String challenge = challengeTo(this.http.post()
			.uri("/mcp")
			.contentType(MediaType.APPLICATION_JSON)
			.accept(MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM)
			.bodyValue("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}"));
		assertThat(challenge).isEqualTo("Bearer resource_metadata=\"http://localhost:" + this.port
				+ "/.well-known/oauth-protected-resource/mcp\"");

		String refused = challengeTo(this.http.post()
			.uri("/mcp")
			.headers((headers) -> headers.setBearerAuth("not-a-jwt"))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{}"));
		assertThat(refused).startsWith("Bearer error=\"invalid_token\"")
			.endsWith(", resource_metadata=\"http://localhost:" + this.port
					+ "/.well-known/oauth-protected-resource/mcp\"");
	}

	@Test
	void theMetadataIsOpenAndNamesTheResource() {
		for (String path : new String[] { "/.well-known/oauth-protected-resource/mcp",
				"/.well-known/oauth-protected-resource" }) {
			this.http.get()
				.uri(path)
				.exchange()
				.expectStatus()
				.isOk()
				.expectHeader()
				.cacheControl(CacheControl.noStore())
				.expectBody()
				.jsonPath("$.resource")
				.isEqualTo("http://localhost:" + this.port + "/mcp")
				.jsonPath("$.bearer_methods_supported[0]")
				.isEqualTo("header")
				// the shared secret has no authorization server to name
				.jsonPath("$.authorization_servers")
				.doesNotExist();
		}
	}

	@Test
	void theRestApisChallengeStaysPlain() {
		assertThat(challengeTo(this.http.get().uri("/api/tasks"))).isEqualTo("Bearer");
	}

	/** The {@code WWW-Authenticate} of the 401 this request gets. */
	private static String challengeTo(WebTestClient.RequestHeadersSpec<?> request) {
		return request.exchange()
			.expectStatus()
			.isUnauthorized()
			.returnResult(Void.class)
			.getResponseHeaders()
			.getFirst(HttpHeaders.WWW_AUTHENTICATE);
	}

}
