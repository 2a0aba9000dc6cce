package com.pakaura.binder.dapr;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What the binder needs of daprd's {@code GET /v1.0/metadata} (dapr v1.18.3
 * {@code pkg/api/http/metadata.go}, {@code metadataResponse}): the runtime version, and
 * each component's type and capabilities, which daprd fills from the component's features
 * ({@code pkg/runtime/runtime.go} {@code getComponentsCapabilitesMap}; the Kafka pub/sub
 * has {@code BULK_PUBSUB}, components-contrib {@code pubsub/kafka/kafka.go}
 * {@code Features}).
 *
 * @param runtimeVersion {@code runtimeVersion}, for example {@code 1.18.3}; {@code null}
 * when absent
 */
record DaprSidecarMetadata(@Nullable String runtimeVersion, List<Component> components) {

	/** The capability of a pub/sub component that publishes a bulk request natively. */
	static final String BULK_PUBSUB = "BULK_PUBSUB";

	/** One entry of {@code components}. */
	record Component(String name, String type, List<String> capabilities) {

	}

	/**
	 * The metadata in daprd's answer; {@code null} when the answer is no JSON object (a
	 * proxy's page, another server).
	 */
	static @Nullable DaprSidecarMetadata parse(String body) {
		JsonNode json = DaprSidecarClient.jsonObject(body);
		return (json != null) ? of(json) : null;
	}

	private static DaprSidecarMetadata of(JsonNode json) {
		List<Component> components = new ArrayList<>();
		JsonNode list = json.path("components");
		for (JsonNode component : list) {
			List<String> capabilities = new ArrayList<>();
			component.path("capabilities").forEach((capability) -> capabilities.add(capability.asString()));
			components.add(new Component(component.path("name").asString(""), component.path("type").asString(""),
					List.copyOf(capabilities)));
		}
		JsonNode version = json.get("runtimeVersion");
		return new DaprSidecarMetadata((version != null && version.isString()) ? version.stringValue() : null,
				List.copyOf(components));
	}

	/**
	 * Whether this pub/sub component publishes a bulk request natively. Without it daprd
	 * publishes the entries one by one, in parallel and in no order
	 * ({@code pkg/runtime/pubsub/default_bulkpub.go}); the binder's order holds either
	 * way, since a request never carries two entries of one key.
	 */
	boolean bulkNative(String pubsub) {
		return this.components.stream()
			.anyMatch((component) -> component.name().equals(pubsub) && component.capabilities().contains(BULK_PUBSUB));
	}

}
