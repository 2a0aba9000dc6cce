package com.pakaura.binder.dapr;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import com.pakaura.binder.dapr.properties.DaprBinderConfigurationProperties;

/**
 * The binder-wide settings as Boot binds them, for tests that check defaults and
 * overrides.
 */
public final class BinderSettings {

	private BinderSettings() {
	}

	/**
	 * @param properties names relative to {@code spring.cloud.stream.dapr.binder.}
	 */
	public static DaprBinderConfigurationProperties bind(Map<String, String> properties) {
		Map<String, String> prefixed = new HashMap<>();
		properties.forEach((name, value) -> prefixed.put("spring.cloud.stream.dapr.binder." + name, value));
		return new Binder(List.of(new MapConfigurationPropertySource(prefixed)))
			.bindOrCreate("spring.cloud.stream.dapr.binder", DaprBinderConfigurationProperties.class);
	}

	/** What the binder uses when nothing is set. */
	public static DaprBinderConfigurationProperties defaults() {
		return bind(Map.of());
	}

}
