package com.pakaura.api.task;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.api.support.ApiTest;
import com.pakaura.api.support.TaskRows;
import com.pakaura.api.support.UserSession;

import static com.pakaura.api.support.UserSession.JSON_ARRAY;
import static com.pakaura.api.support.UserSession.JSON_OBJECT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bob can neither see, change nor learn of Alice's task: every route answers him exactly
 * as for an id that does not exist, and her row stays as it was.
 */
@ApiTest
class TaskIsolationTest {

	private static final String MISSING_ID = "7d0f3c1e-1111-4222-8333-444455556666";

	@Autowired
	private WebTestClient http;

	@Autowired
	private DatabaseClient db;

	private UserSession alice;

	private UserSession bob;

	private String alicesTask;

	private List<Map<String, Object>> alicesRows;

	@BeforeEach
	void aliceHasATask() {
		this.alice = new UserSession(this.http);
		this.bob = new UserSession(this.http);
		this.alicesTask = this.alice.createTask(Map.of("title", "Alice's secret", "due_date", "2026-12-01T08:00:00Z"));
		this.alicesRows = new TaskRows(this.db).of(this.alice.userId());
	}

	@Test
	void bobGetsTheSame404ForAlicesTaskAsForAMissingOne() {
		assertSameNotFound(this.bob.get().uri("/api/tasks/{id}", this.alicesTask),
				this.bob.get().uri("/api/tasks/{id}", MISSING_ID));
		assertSameNotFound(
				this.bob.patch()
					.uri("/api/tasks/{id}", this.alicesTask)
					.contentType(MediaType.APPLICATION_JSON)
					.bodyValue("{\"title\":\"mine now\"}"),
				this.bob.patch()
					.uri("/api/tasks/{id}", MISSING_ID)
					.contentType(MediaType.APPLICATION_JSON)
					.bodyValue("{\"title\":\"mine now\"}"));
		assertSameNotFound(this.bob.post().uri("/api/tasks/{id}/complete", this.alicesTask),
				this.bob.post().uri("/api/tasks/{id}/complete", MISSING_ID));
		assertSameNotFound(this.bob.post().uri("/api/tasks/{id}/uncomplete", this.alicesTask),
				this.bob.post().uri("/api/tasks/{id}/uncomplete", MISSING_ID));
		assertSameNotFound(this.bob.delete().uri("/api/tasks/{id}", this.alicesTask),
				this.bob.delete().uri("/api/tasks/{id}", MISSING_ID));

		assertThat(new TaskRows(this.db).of(this.alice.userId())).isEqualTo(this.alicesRows);
	}

	@Test
	void bobsListDoesNotShowAlicesTasks() {
		String bobsTask = this.bob.createTask("Bob's");
		List<Map<String, Object>> bobsList = this.bob.get()
			.uri("/api/tasks")
			.exchange()
			.expectBody(JSON_ARRAY)
			.returnResult()
			.getResponseBody();
		assertThat(bobsList).extracting((task) -> task.get("id")).containsExactly(bobsTask);
		List<Map<String, Object>> alicesList = this.alice.get()
			.uri("/api/tasks")
			.exchange()
			.expectBody(JSON_ARRAY)
			.returnResult()
			.getResponseBody();
		assertThat(alicesList).extracting((task) -> task.get("id")).containsExactly(this.alicesTask);
	}

	/**
	 * Both answers are 404 and differ only in the id they name and the request they
	 * describe.
	 */
	private static void assertSameNotFound(WebTestClient.RequestHeadersSpec<?> othersTask,
			WebTestClient.RequestHeadersSpec<?> missingTask) {
		Map<String, Object> other = notFound(othersTask);
		Map<String, Object> missing = notFound(missingTask);
		assertThat(withoutRequestSpecifics(other)).isEqualTo(withoutRequestSpecifics(missing));
	}

	private static Map<String, Object> notFound(WebTestClient.RequestHeadersSpec<?> request) {
		return request.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody(JSON_OBJECT)
			.returnResult()
			.getResponseBody();
	}

	private static Map<String, Object> withoutRequestSpecifics(Map<String, Object> problem) {
		Map<String, Object> rest = new HashMap<>(problem);
		rest.remove("instance");
		rest.remove("correlation_id");
		rest.put("detail", ((String) rest.get("detail")).replaceAll("[0-9a-f-]{36}", "<id>"));
		return rest;
	}

}
