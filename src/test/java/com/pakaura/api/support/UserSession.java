package com.pakaura.api.support;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** One user calling the API with a valid token: a fresh, unique user per instance. */
public final class UserSession {

	/** A JSON object as the tests read it. */
	public static final ParameterizedTypeReference<Map<String, Object>> JSON_OBJECT = new ParameterizedTypeReference<>() {
	};

	/** A JSON array of objects as the tests read it. */
	public static final ParameterizedTypeReference<List<Map<String, Object>>> JSON_ARRAY = new ParameterizedTypeReference<>() {
	};

	private final WebTestClient http;

	private final String userId;

	public UserSession(WebTestClient http) {
		this(http, "user-" + UUID.randomUUID());
	}

	public UserSession(WebTestClient http, String userId) {
		this.userId = userId;
		this.http = http.mutate().defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + Tokens.forUser(userId)).build();
	}

	public String userId() {
		return this.userId;
	}

	public WebTestClient.RequestHeadersUriSpec<?> get() {
		return this.http.get();
	}

	public WebTestClient.RequestBodyUriSpec post() {
		return this.http.post();
	}

	public WebTestClient.RequestBodyUriSpec patch() {
		return this.http.patch();
	}

	public WebTestClient.RequestHeadersUriSpec<?> delete() {
		return this.http.delete();
	}

	/** Creates a task and returns its id. */
	public String createTask(Map<String, ?> body) {
		return createTask(body, (headers) -> {
		});
	}

	/** Creates a task, sending the request with extra headers, and returns its id. */
	public String createTask(Map<String, ?> body, Consumer<HttpHeaders> headers) {
		return (String) post().uri("/api/tasks")
			.headers(headers)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isCreated()
			.expectBody(JSON_OBJECT)
			.returnResult()
			.getResponseBody()
			.get("id");
	}

	public String createTask(String title) {
		return createTask(Map.of("title", title));
	}

	/** The task as the API returns it now. */
	public Map<String, Object> read(String id) {
		return get().uri("/api/tasks/{id}", id)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JSON_OBJECT)
			.returnResult()
			.getResponseBody();
	}

}
