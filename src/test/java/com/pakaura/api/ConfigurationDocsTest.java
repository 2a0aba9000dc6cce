package com.pakaura.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every setting of this project is in the configuration metadata and in the tables of
 * docs/configuration.md, with the metadata's default.
 */
class ConfigurationDocsTest {

	private static final Pattern BACKTICKED = Pattern.compile("`([a-z][a-z0-9.-]*)`");

	private static final Pattern BACKTICKED_VALUE = Pattern.compile("^\\s*`([^`]*)`");

	@Test
	void everySettingInTheMetadataIsDocumentedInTheConfigurationReference() throws IOException {
		String reference = Files.readString(Path.of("docs", "configuration.md"));
		List<String> settings = new ArrayList<>(metadataDefaults().keySet());
		assertThat(settings).contains("spring.cloud.stream.dapr.binder.enabled", "pakaura.auth.jwt-secret",
				"spring.cloud.stream.dapr.bindings.for-docs-only.producer.partition-key-expression");
		assertThat(settings).allSatisfy((setting) -> {
			if (setting.startsWith("spring.cloud.stream.dapr.bindings.for-docs-only.")) {
				String key = setting.replaceFirst(
						"^spring\\.cloud\\.stream\\.dapr\\.bindings\\.for-docs-only\\.(producer|consumer)\\.", "");
				assertThat(reference).as(setting).contains("`" + key + (key.equals("metadata") ? ".<name>`" : "`"));
			}
			else if (!setting.equals("spring.cloud.stream.dapr.bindings")) {
				assertThat(reference).as(setting).contains("`" + setting + "`");
			}
		});
	}

	/**
	 * Each default in the reference's tables is the one the metadata gives: a row names
	 * its settings in backticks and their defaults in the same order, separated by
	 * {@code ,} or {@code /}; "none" is no default, and words that are not a value (such
	 * as "the binder's") are not compared.
	 */
	@Test
	void everyDefaultInTheReferenceIsTheMetadatasDefault() throws IOException {
		Map<String, @Nullable String> defaults = metadataDefaults();
		int compared = 0;
		for (String line : Files.readAllLines(Path.of("docs", "configuration.md"))) {
			String[] cells = line.split("\\|");
			if (!line.startsWith("| `") || cells.length < 4) {
				continue;
			}
			List<String> settings = new ArrayList<>();
			Matcher name = BACKTICKED.matcher(cells[1]);
			while (name.find()) {
				String setting = name.group(1);
				String binding = "spring.cloud.stream.dapr.bindings.for-docs-only.producer." + setting;
				String consumer = "spring.cloud.stream.dapr.bindings.for-docs-only.consumer." + setting;
				for (String known : List.of(setting, binding, consumer)) {
					if (defaults.containsKey(known)) {
						settings.add(known);
						break;
					}
				}
			}
			String[] documented = cells[2].strip().split(",\\s+|\\s+/\\s+");
			for (int i = 0; i < settings.size() && i < documented.length; i++) {
				Matcher value = BACKTICKED_VALUE.matcher(documented[i]);
				if (value.find()) {
					assertThat(value.group(1)).as("the default of %s in docs/configuration.md", settings.get(i))
						.isEqualToIgnoringCase(String.valueOf(defaults.get(settings.get(i))));
					compared++;
				}
				else if (documented[i].strip().equals("none")) {
					assertThat(defaults.get(settings.get(i))).as("the default of %s", settings.get(i)).isNull();
					compared++;
				}
			}
		}
		assertThat(compared).as("defaults compared").isGreaterThanOrEqualTo(40);
	}

	/**
	 * Every setting of the configuration metadata, in its order, with its default as text
	 * ({@code null}: none).
	 */
	private static Map<String, @Nullable String> metadataDefaults() throws IOException {
		Map<String, @Nullable String> defaults = new LinkedHashMap<>();
		try (InputStream metadata = ConfigurationDocsTest.class
			.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			for (JsonNode property : JsonMapper.builder().build().readTree(metadata).get("properties")) {
				JsonNode value = property.get("defaultValue");
				defaults.put(property.get("name").stringValue(),
						(value == null) ? null : value.isString() ? value.stringValue() : value.toString());
			}
		}
		return defaults;
	}

}
