package com.pakaura.api.events;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The AsyncAPI document describes the events as data-model.md shows them, and the samples
 * there are the events the service publishes (TaskEventsContract compares them): each
 * sample validates against its message's payload schema, and only against its own; each
 * type is a message of the channel the document's heading puts it on.
 */
class AsyncApiContractTest {

	static final Path CONTRACT = Path.of("specs/004-backend-event-publishing/contracts/asyncapi.yaml");

	private static final Pattern SAMPLE_HEADING = Pattern.compile("^### `([a-z.]+)` on `([a-z-]+)`$",
			Pattern.MULTILINE);

	private final JsonNode document = readContract();

	private final SchemaRegistry schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);

	@Test
	void everySampleIsValidAgainstItsMessageAndNoOther() {
		Map<String, JsonNode> samples = DataModelSamples.byType();
		Map<String, String> messages = messagesByType();
		assertThat(messages.keySet()).as("one message per event type of data-model.md")
			.containsExactlyInAnyOrderElementsOf(samples.keySet());
		assertThat(samples).hasSize(9);
		samples.forEach((type, sample) -> messages.forEach((otherType, message) -> {
			List<com.networknt.schema.Error> errors = payloadSchema(message).validate(sample);
			if (otherType.equals(type)) {
				assertThat(errors).as(type + " against its message " + message).isEmpty();
			}
			else {
				assertThat(errors).as(type + " against " + message).isNotEmpty();
			}
		}));
	}

	@Test
	void eachTypeIsAMessageOfTheChannelOfItsTopic() throws IOException {
		Matcher heading = SAMPLE_HEADING.matcher(Files.readString(DataModelSamples.DOCUMENT));
		Map<String, String> messages = messagesByType();
		int headings = 0;
		while (heading.find()) {
			headings++;
			String type = heading.group(1);
			String topic = heading.group(2);
			JsonNode channel = channelAt(topic);
			assertThat(channel.get("messages").toString()).as(type + " on " + topic)
				.contains("#/components/messages/" + messages.get(type) + "\"");
		}
		assertThat(headings).isEqualTo(messages.size());
	}

	@Test
	void aPayloadWithAFieldTheServiceNeverSendsIsRefused() {
		ObjectNode sample = (ObjectNode) DataModelSamples.byType().get("sync.task").deepCopy();
		((ObjectNode) sample.get("data")).put("title", "sync.task carries no title");
		assertThat(payloadSchema(messagesByType().get("sync.task")).validate(sample)).isNotEmpty();
	}

	/** Message names in the document by the event type they carry. */
	private Map<String, String> messagesByType() {
		Map<String, String> byType = new LinkedHashMap<>();
		this.document.get("components")
			.get("messages")
			.properties()
			.forEach((entry) -> byType.put(entry.getValue().get("name").stringValue(), entry.getKey()));
		return byType;
	}

	private JsonNode channelAt(String address) {
		for (var channel : this.document.get("channels").properties()) {
			if (channel.getValue().get("address").stringValue().equals(address)) {
				return channel.getValue();
			}
		}
		throw new AssertionError("No channel at " + address + " in " + CONTRACT);
	}

	/**
	 * The payload schema of one message, resolved within the whole document (its
	 * {@code $ref}s point into {@code components}).
	 */
	private Schema payloadSchema(String message) {
		ObjectNode root = (ObjectNode) this.document.deepCopy();
		root.put("$ref", "#/components/messages/" + message + "/payload");
		return this.schemas.getSchema(SchemaLocation.of("https://pakaura.example/asyncapi.yaml"), root);
	}

	private static JsonNode readContract() {
		try {
			return YAMLMapper.builder().build().readTree(Files.readString(CONTRACT));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
