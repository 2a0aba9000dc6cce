package com.pakaura.api.events;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code contracts/asyncapi.yaml} as a validator: the payload schema of each message,
 * resolved within the whole document, by message name or by the event type it carries.
 */
final class AsyncApiDocument {

	static final Path CONTRACT = Path.of("specs/004-backend-event-publishing/contracts/asyncapi.yaml");

	private static final AsyncApiDocument INSTANCE = new AsyncApiDocument();

	private final JsonNode document = readContract();

	private final SchemaRegistry schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);

	private final Map<String, Schema> payloadSchemas = new ConcurrentHashMap<>();

	private AsyncApiDocument() {
	}

	static AsyncApiDocument get() {
		return INSTANCE;
	}

	JsonNode document() {
		return this.document;
	}

	/** Message names in the document by the event type they carry. */
	Map<String, String> messagesByType() {
		Map<String, String> byType = new LinkedHashMap<>();
		this.document.get("components")
			.get("messages")
			.properties()
			.forEach((entry) -> byType.put(entry.getValue().get("name").stringValue(), entry.getKey()));
		return byType;
	}

	/**
	 * The payload schema of one message, resolved within the whole document (its
	 * {@code $ref}s point into {@code components}).
	 */
	Schema payloadSchema(String message) {
		return this.payloadSchemas.computeIfAbsent(message, (name) -> {
			ObjectNode root = (ObjectNode) this.document.deepCopy();
			root.put("$ref", "#/components/messages/" + name + "/payload");
			return this.schemas.getSchema(SchemaLocation.of("https://pakaura.example/asyncapi.yaml"), root);
		});
	}

	/**
	 * What is wrong with an event, as published, against the message of its type; no
	 * message for its type is wrong too.
	 */
	List<String> errors(JsonNode event) {
		String message = messagesByType().get(event.path("type").stringValue());
		if (message == null) {
			return List.of("no message in " + CONTRACT + " carries type " + event.path("type"));
		}
		return payloadSchema(message).validate(event).stream().map(Object::toString).toList();
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
