package com.pakaura.api.events;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The event samples of {@code specs/004-backend-event-publishing/data-model.md}, by type.
 */
final class DataModelSamples {

	static final Path DOCUMENT = Path.of("specs/004-backend-event-publishing/data-model.md");

	private static final Pattern JSON_BLOCK = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL);

	private DataModelSamples() {
	}

	static Map<String, JsonNode> byType() {
		JsonMapper json = JsonMapper.builder().build();
		Map<String, JsonNode> samples = new LinkedHashMap<>();
		Matcher block = JSON_BLOCK.matcher(read());
		while (block.find()) {
			JsonNode sample = json.readTree(block.group(1));
			JsonNode previous = samples.put(sample.get("type").stringValue(), sample);
			if (previous != null) {
				throw new IllegalStateException("Two samples of " + sample.get("type") + " in " + DOCUMENT);
			}
		}
		return samples;
	}

	private static String read() {
		try {
			return Files.readString(DOCUMENT);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
