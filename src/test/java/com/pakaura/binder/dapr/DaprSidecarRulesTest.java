package com.pakaura.binder.dapr;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fake sidecar against the rule table of contracts/dapr-publish-api.md: each row's
 * request, sent as the binder would send it, gets the answer daprd gives. The table is
 * the fake's specification; a change to either that the other does not follow fails here.
 */
class DaprSidecarRulesTest {

	static final Path CONTRACT = Path.of("specs", "004-backend-event-publishing", "contracts", "dapr-publish-api.md");

	private static final String HEADING = "## The sidecar's rules, as the tests' fake sidecar keeps them";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@RegisterExtension
	static final FakeDaprSidecar SIDECAR = FakeDaprSidecar.start();

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(60)).build();

	/** One row of the table, for one daprd version it names. */
	record Rule(String number, DaprVersion version, List<String> setUp, String method, String path, String body,
			String answer, String reason, String message) {

		@Override
		public String toString() {
			return "rule " + this.number + " on " + this.version.runtimeVersion() + ": " + this.method + " " + this.path
					+ " " + this.body + " -> " + this.answer;
		}

	}

	static List<Rule> rules() throws IOException {
		List<String> lines = Files.readAllLines(CONTRACT);
		int start = lines.indexOf(HEADING);
		assertThat(start).as("the rule table's heading in %s", CONTRACT).isNotNegative();
		List<Rule> rules = new ArrayList<>();
		for (String line : lines.subList(start + 1, lines.size())) {
			if (line.startsWith("## ")) {
				break;
			}
			if (!line.matches("\\| \\d+ \\|.*")) {
				continue;
			}
			String[] cells = Arrays.stream(line.split("\\|", -1)).map(String::strip).toArray(String[]::new);
			String[] request = unquote(cells[4]).split(" ", 2);
			List<String> setUp = cells[3].isEmpty() ? List.of()
					: Arrays.stream(cells[3].split(",")).map(String::strip).map(DaprSidecarRulesTest::unquote).toList();
			for (DaprVersion version : versions(cells[2])) {
				rules.add(new Rule(cells[1], version, setUp, request[0], request[1], unquote(cells[5]),
						unquote(cells[6]), unquote(cells[7]), unquote(cells[8])));
			}
		}
		return rules;
	}

	/** {@code 1.16-1.18}, {@code 1.17-1.18} or one minor such as {@code 1.16}. */
	private static List<DaprVersion> versions(String cell) {
		String[] range = cell.split("-");
		int from = Integer.parseInt(range[0].substring(2));
		int to = Integer.parseInt(range[range.length - 1].substring(2));
		return Arrays.stream(DaprVersion.values()).filter((version) -> {
			int minor = Integer.parseInt(version.runtimeVersion().split("\\.")[1]);
			return minor >= from && minor <= to;
		}).toList();
	}

	@Test
	void theTableHoldsEveryRuleAndEveryRowIsRead() throws IOException {
		List<String> lines = Files.readAllLines(CONTRACT);
		long rows = lines.subList(lines.indexOf(HEADING), lines.size())
			.stream()
			.skip(1)
			.takeWhile((line) -> !line.startsWith("## "))
			.filter((line) -> line.startsWith("| ") && !line.startsWith("| #"))
			.count();
		List<Rule> rules = rules();
		assertThat(rules.stream().map(Rule::number).distinct().count()).isEqualTo(rows).isGreaterThanOrEqualTo(38);
		assertThat(rules).extracting(Rule::version).contains(DaprVersion.values());
	}

	@ParameterizedTest
	@MethodSource("rules")
	void theFakeAnswersAsTheTableSays(Rule rule) throws Exception {
		SIDECAR.reset();
		SIDECAR.version(rule.version());
		for (String setUp : rule.setUp()) {
			apply(setUp);
		}
		HttpResponse<String> response = HTTP
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + SIDECAR.port() + rule.path()))
				.method(rule.method(), HttpRequest.BodyPublishers.ofByteArray(body(rule.body())))
				.header("Content-Type", "application/cloudevents+json")
				.timeout(Duration.ofSeconds(60))
				.build(), HttpResponse.BodyHandlers.ofString());

		String[] answer = rule.answer().split(" ", 3);
		assertThat(response.statusCode()).as(rule.toString()).isEqualTo(Integer.parseInt(answer[0]));
		int entries = rule.body().startsWith("bulk") ? 2 : 1;
		int published = (answer[0].equals("204") && rule.path().contains("/publish/")) ? entries : 0;
		boolean errorBody = answer.length > 1 && answer[1].startsWith("ERR_");
		boolean failedEntries = answer.length > 1 && answer[1].startsWith("failedEntries=");
		// the columns are checked where the answer has them, and left empty elsewhere
		assertThat(rule.message().isEmpty()).as("%s: message column", rule).isEqualTo(!errorBody && !failedEntries);
		if (answer.length == 1) {
			assertThat(response.body()).as(rule.toString()).isEmpty();
		}
		else if (answer[1].equals("runtimeVersion")) {
			JsonNode metadata = JSON.readTree(response.body());
			assertThat(metadata.get("runtimeVersion").stringValue()).isEqualTo(rule.version().runtimeVersion());
			assertThat(metadata.get("components").get(0).get("capabilities").get(0).stringValue())
				.isEqualTo("BULK_PUBSUB");
		}
		else if (failedEntries) {
			int failed = Integer.parseInt(answer[1].substring("failedEntries=".length()));
			JsonNode error = JSON.readTree(response.body());
			assertThat(error.get("errorCode").stringValue()).as(rule.toString())
				.isEqualTo("ERR_PUBSUB_PUBLISH_MESSAGE");
			assertThat(error.get("failedEntries")).as(rule.toString())
				.hasSize(failed)
				.allSatisfy((entry) -> assertThat(entry.get("error").stringValue()).contains(rule.message()));
			published = entries - failed;
		}
		else if (answer[1].equals("text")) {
			assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("text/plain");
			assertThat(response.body()).as(rule.toString()).isEqualTo(answer[2] + "\n");
		}
		else {
			JsonNode error = JSON.readTree(response.body());
			assertThat(error.get("errorCode").stringValue()).as(rule.toString()).isEqualTo(answer[1]);
			assertThat(error.get("message").stringValue()).as(rule.toString()).contains(rule.message());
			if (rule.reason().isEmpty()) {
				assertThat(error.has("details")).as("%s: details", rule).isFalse();
			}
			else {
				assertThat(error.get("details").get(0).get("reason").stringValue()).as(rule.toString())
					.isEqualTo(rule.reason());
			}
		}
		assertThat(rule.reason().isEmpty() || errorBody).as("%s: a reason without an error body", rule).isTrue();
		if (rule.setUp().contains("timeout-after-write")) {
			// daprd answers the timeout, the broker writes the events all the same
			published = entries;
		}
		assertThat(SIDECAR.delivered()).as(rule.toString()).hasSize(published);
	}

	private static void apply(String setUp) {
		String[] parts = setUp.split("=", 2);
		switch (parts[0]) {
			case "token" -> SIDECAR.apiToken("the-right-token");
			case "no-components" -> SIDECAR.pubsubs();
			case "max-body" -> SIDECAR.maxBodySize(bytes(parts[1]));
			case "no-bulk-routes" -> SIDECAR.bulkRoutes(false);
			case "component-gone" -> SIDECAR.componentGone(true);
			case "forbid" -> SIDECAR.forbidTopics(parts[1]);
			case "broker-max" -> SIDECAR.brokerMaxMessageBytes(Long.parseLong(parts[1]));
			case "broker-down" -> SIDECAR.failNextPublishes(1);
			case "not-ready" -> SIDECAR.outboundReady(false);
			case "timeout-after-write" -> SIDECAR.timeOutAfterWriting(1);
			default -> throw new IllegalArgumentException("No such set-up in the rule table: " + setUp);
		}
	}

	private static byte[] body(String kind) {
		String event = SampleEvents.minimalJson("r-1");
		return switch (kind) {
			case "" -> new byte[0];
			case "ce" -> event.getBytes(StandardCharsets.UTF_8);
			case "ce-2KiB" ->
				event.replaceFirst("}$", ",\"data\":\"" + "x".repeat(2048) + "\"}").getBytes(StandardCharsets.UTF_8);
			case "not-json" -> "definitely not json".getBytes(StandardCharsets.UTF_8);
			case "bulk" -> bulk(event, SampleEvents.minimalJson("r-2"), "0", "1");
			case "bulk-2KiB" -> bulk(event,
					SampleEvents.minimalJson("r-2").replaceFirst("}$", ",\"data\":\"" + "x".repeat(2048) + "\"}"), "0",
					"1");
			case "bulk-not-ce" -> bulk(event, "\"just a string\"", "0", "1");
			case "bulk-same-id" -> bulk(event, SampleEvents.minimalJson("r-2"), "0", "0");
			case "bulk-not-array" -> "{\"entryId\":\"0\"}".getBytes(StandardCharsets.UTF_8);
			default -> throw new IllegalArgumentException("No such body in the rule table: " + kind);
		};
	}

	/** Two entries, of the keys k-1 and k-2, as the binder writes them. */
	private static byte[] bulk(String first, String second, String firstId, String secondId) {
		return ("[{\"entryId\":\"" + firstId + "\",\"event\":" + first
				+ ",\"contentType\":\"application/cloudevents+json\",\"metadata\":{\"partitionKey\":\"k-1\"}},"
				+ "{\"entryId\":\"" + secondId + "\",\"event\":" + second
				+ ",\"contentType\":\"application/cloudevents+json\",\"metadata\":{\"partitionKey\":\"k-2\"}}]")
			.getBytes(StandardCharsets.UTF_8);
	}

	private static long bytes(String size) {
		return Long.parseLong(size.replace("KiB", "")) * 1024;
	}

	private static String unquote(String cell) {
		return cell.replace("`", "").strip();
	}

}
