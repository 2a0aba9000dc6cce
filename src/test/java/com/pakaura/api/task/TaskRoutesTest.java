package com.pakaura.api.task;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.api.support.ApiTest;
import com.pakaura.api.support.UserSession;

import static com.pakaura.api.support.UserSession.JSON_ARRAY;
import static com.pakaura.api.support.UserSession.JSON_OBJECT;

import static org.assertj.core.api.Assertions.assertThat;

@ApiTest
class TaskRoutesTest {

	private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>; rel=\"next\"");

	@Autowired
	private WebTestClient http;

	@Test
	void creatingATaskAnswers201WithItsLocationAndTheStoredTask() {
		UserSession alice = new UserSession(this.http);
		EntityExchangeResult<Map<String, Object>> created = alice.post()
			.uri("/api/tasks")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(
					Map.of("title", "  Buy milk  ", "description", "2 litres", "due_date", "2026-12-01T10:00:00+02:00"))
			.exchange()
			.expectStatus()
			.isCreated()
			.expectHeader()
			.contentType(MediaType.APPLICATION_JSON)
			.expectBody(JSON_OBJECT)
			.returnResult();
		Map<String, Object> task = created.getResponseBody();
		assertThat(created.getResponseHeaders().getLocation()).hasToString("/api/tasks/" + task.get("id"));
		assertThat(task).containsEntry("title", "Buy milk")
			.containsEntry("description", "2 litres")
			.containsEntry("completed", false)
			.containsEntry("user_id", alice.userId())
			.containsEntry("due_date", "2026-12-01T08:00:00Z");
		assertThat(task.keySet()).containsExactlyInAnyOrder("id", "user_id", "title", "description", "completed",
				"due_date", "created_at", "updated_at");
		assertThat(Instant.parse((String) task.get("created_at")))
			.isEqualTo(Instant.parse((String) task.get("updated_at")));
		assertThat((String) task.get("created_at")).endsWith("Z");

		alice.get()
			.uri("/api/tasks/{id}", task.get("id"))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JSON_OBJECT)
			.isEqualTo(task);
	}

	@Test
	void aTaskNeedsOnlyATitle() {
		UserSession alice = new UserSession(this.http);
		String id = alice.createTask("Just a title");
		alice.get()
			.uri("/api/tasks/{id}", id)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.description")
			.isEmpty()
			.jsonPath("$.due_date")
			.isEmpty()
			.jsonPath("$.completed")
			.isEqualTo(false);
	}

	@Test
	void anUnknownTaskIsNotFound() {
		new UserSession(this.http).get()
			.uri("/api/tasks/{id}", "0b0e5b5e-0000-4000-8000-000000000000")
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo(404)
			.jsonPath("$.detail")
			.isEqualTo("Task 0b0e5b5e-0000-4000-8000-000000000000 not found");
	}

	@Test
	void patchingChangesOnlyTheFieldsGivenAndMovesUpdatedAt() {
		UserSession alice = new UserSession(this.http);
		String id = alice
			.createTask(Map.of("title", "Draft", "description", "keep me", "due_date", "2026-12-01T08:00:00Z"));
		Map<String, Object> before = alice.read(id);

		Map<String, Object> after = alice.patch()
			.uri("/api/tasks/{id}", id)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("title", "Final"))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JSON_OBJECT)
			.returnResult()
			.getResponseBody();

		assertThat(after).containsEntry("title", "Final")
			.containsEntry("description", "keep me")
			.containsEntry("due_date", "2026-12-01T08:00:00Z")
			.containsEntry("created_at", before.get("created_at"));
		assertThat(Instant.parse((String) after.get("updated_at")))
			.isAfter(Instant.parse((String) before.get("updated_at")));
		assertThat(alice.read(id)).isEqualTo(after);
	}

	@Test
	void patchingDueDateToNullClearsItAndAnAbsentFieldIsKept() {
		UserSession alice = new UserSession(this.http);
		String id = alice
			.createTask(Map.of("title", "Dentist", "description", "bring card", "due_date", "2026-12-01T08:00:00Z"));
		Map<String, Object> clear = new HashMap<>();
		clear.put("due_date", null);

		alice.patch()
			.uri("/api/tasks/{id}", id)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(clear)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.due_date")
			.isEmpty()
			.jsonPath("$.description")
			.isEqualTo("bring card")
			.jsonPath("$.title")
			.isEqualTo("Dentist");
	}

	@Test
	void aMergePatchDocumentIsAcceptedToo() {
		UserSession alice = new UserSession(this.http);
		String id = alice.createTask("Old");
		alice.patch()
			.uri("/api/tasks/{id}", id)
			.contentType(MediaType.parseMediaType("application/merge-patch+json"))
			.bodyValue("{\"description\":\"new\"}")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.description")
			.isEqualTo("new");
	}

	@Test
	void aPatchThatChangesNothingChangesNotEvenUpdatedAt() {
		UserSession alice = new UserSession(this.http);
		String id = alice.createTask(Map.of("title", "Same", "due_date", "2026-12-01T10:00:00+02:00"));
		Map<String, Object> before = alice.read(id);

		for (String body : List.of("{}", "{\"title\":\"  Same \"}", "{\"due_date\":\"2026-12-01T08:00:00Z\"}",
				"{\"description\":null}")) {
			alice.patch()
				.uri("/api/tasks/{id}", id)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(body)
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody(JSON_OBJECT)
				.isEqualTo(before);
		}
		assertThat(alice.read(id)).isEqualTo(before);
	}

	@Test
	void completingAndUncompletingAreIdempotent() {
		UserSession alice = new UserSession(this.http);
		String id = alice.createTask("Finish me");

		Map<String, Object> completed = transition(alice, id, "complete");
		assertThat(completed).containsEntry("completed", true);
		assertThat(transition(alice, id, "complete")).isEqualTo(completed);
		assertThat(alice.read(id)).isEqualTo(completed);

		Map<String, Object> reopened = transition(alice, id, "uncomplete");
		assertThat(reopened).containsEntry("completed", false);
		assertThat(Instant.parse((String) reopened.get("updated_at")))
			.isAfter(Instant.parse((String) completed.get("updated_at")));
		assertThat(transition(alice, id, "uncomplete")).isEqualTo(reopened);
	}

	@Test
	void deletingATaskAnswers204AndThenItIsGone() {
		UserSession alice = new UserSession(this.http);
		String id = alice.createTask("Temporary");
		alice.delete().uri("/api/tasks/{id}", id).exchange().expectStatus().isNoContent().expectBody().isEmpty();
		alice.get().uri("/api/tasks/{id}", id).exchange().expectStatus().isNotFound();
		alice.delete().uri("/api/tasks/{id}", id).exchange().expectStatus().isNotFound();
	}

	@Test
	void theListShowsTheCallersTasksNewestFirstAndFiltersByCompletion() {
		UserSession alice = new UserSession(this.http);
		String first = alice.createTask("first");
		String second = alice.createTask("second");
		String third = alice.createTask("third");
		transition(alice, second, "complete");

		assertThat(listIds(alice, "/api/tasks")).containsExactly(third, second, first);
		assertThat(listIds(alice, "/api/tasks?completed=true")).containsExactly(second);
		assertThat(listIds(alice, "/api/tasks?completed=false")).containsExactly(third, first);
		assertThat(listIds(new UserSession(this.http), "/api/tasks")).isEmpty();
	}

	@Test
	void theNextLinkWalksEveryPageOnceEvenWhileTasksAreAdded() {
		UserSession alice = new UserSession(this.http);
		List<String> created = new ArrayList<>();
		for (int i = 0; i < 7; i++) {
			created.add(0, alice.createTask("task " + i));
		}

		List<String> seen = new ArrayList<>();
		String next = "/api/tasks?limit=3";
		int pages = 0;
		while (next != null) {
			EntityExchangeResult<List<Map<String, Object>>> page = page(alice, next);
			page.getResponseBody().forEach((task) -> seen.add((String) task.get("id")));
			next = nextLink(page.getResponseHeaders());
			pages++;
			if (pages == 1) {
				alice.createTask("added while paging");
			}
		}

		assertThat(pages).isEqualTo(3);
		assertThat(seen).containsExactlyElementsOf(created);
	}

	@Test
	void theLastPageHasNoNextLinkAndTheDefaultPageHoldsFifty() {
		UserSession alice = new UserSession(this.http);
		for (int i = 0; i < 51; i++) {
			alice.createTask("task " + i);
		}
		EntityExchangeResult<List<Map<String, Object>>> first = page(alice, "/api/tasks");
		assertThat(first.getResponseBody()).hasSize(50);
		String next = nextLink(first.getResponseHeaders());
		assertThat(next).startsWith("/api/tasks?limit=50&cursor=");

		EntityExchangeResult<List<Map<String, Object>>> last = page(alice, next);
		assertThat(last.getResponseBody()).hasSize(1);
		assertThat(nextLink(last.getResponseHeaders())).isNull();
	}

	@Test
	void theNextLinkKeepsTheCompletionFilter() {
		UserSession alice = new UserSession(this.http);
		for (int i = 0; i < 3; i++) {
			transition(alice, alice.createTask("done " + i), "complete");
			alice.createTask("open " + i);
		}
		EntityExchangeResult<List<Map<String, Object>>> first = page(alice, "/api/tasks?completed=true&limit=2");
		String next = nextLink(first.getResponseHeaders());
		assertThat(next).contains("completed=true");
		List<Map<String, Object>> rest = page(alice, next).getResponseBody();
		assertThat(rest).hasSize(1).allSatisfy((task) -> assertThat(task).containsEntry("completed", true));
	}

	private static Map<String, Object> transition(UserSession user, String id, String action) {
		return user.post()
			.uri("/api/tasks/{id}/" + action, id)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JSON_OBJECT)
			.returnResult()
			.getResponseBody();
	}

	private static List<String> listIds(UserSession user, String uri) {
		return page(user, uri).getResponseBody().stream().map((task) -> (String) task.get("id")).toList();
	}

	/** One page of the list, with the headers that link to the next. */
	private static EntityExchangeResult<List<Map<String, Object>>> page(UserSession user, String uri) {
		return user.get().uri(uri).exchange().expectStatus().isOk().expectBody(JSON_ARRAY).returnResult();
	}

	private static String nextLink(HttpHeaders headers) {
		String link = headers.getFirst(HttpHeaders.LINK);
		if (link == null) {
			return null;
		}
		Matcher matcher = NEXT_LINK.matcher(link);
		assertThat(matcher.matches()).as("Link header %s", link).isTrue();
		return matcher.group(1);
	}

}
