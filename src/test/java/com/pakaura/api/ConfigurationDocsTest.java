package com.pakaura.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every setting of this project is in the configuration metadata and in the tables of
 * docs/configuration.md.
 */
class ConfigurationDocsTest {

	@Test
	void everySettingInTheMetadataIsDocumentedInTheConfigurationReference() throws IOException {
		String reference = Files.readString(Path.of("docs", "configuration.md"));
		List<String> settings = new ArrayList<>();
		try (InputStream metadata = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			for (JsonNode property : JsonMapper.builder().build().readTree(metadata).get("properties")) {
				settings.add(property.get("name").stringValue());
			}
		}
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

}
