package com.pakaura.api.events;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.networknt.schema.Schema;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The AsyncAPI document describes the events as data-model.md shows them, and the samples
 * there are the events the service publishes (TaskEventsContract compares them): each
 * sample validates against its message's payload schema, and only against its own; each
 * type is a message of the channel the document's heading puts it on.
 */
class AsyncApiContractTest {

	private static final Pattern SAMPLE_HEADING = Pattern.compile("^### `([a-z.]+)` on `([a-z-]+)`$",
			Pattern.MULTILINE);

	private final AsyncApiDocument contract = AsyncApiDocument.get();

	private final JsonNode document = this.contract.document();

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

	private Map<String, String> messagesByType() {
		return this.contract.messagesByType();
	}

	private JsonNode channelAt(String address) {
		for (var channel : this.document.get("channels").properties()) {
			if (channel.getValue().get("address").stringValue().equals(address)) {
				return channel.getValue();
			}
		}
		throw new AssertionError("No channel at " + address + " in " + AsyncApiDocument.CONTRACT);
	}

	private Schema payloadSchema(String message) {
		return this.contract.payloadSchema(message);
	}

}
