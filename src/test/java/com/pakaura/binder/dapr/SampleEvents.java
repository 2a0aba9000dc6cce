package com.pakaura.binder.dapr;

import java.nio.charset.StandardCharsets;

/**
 * Structured CloudEvents small enough to read in a test, as the binder's tests send them.
 */
final class SampleEvents {

	private SampleEvents() {
	}

	/**
	 * The smallest structured CloudEvent the sidecar takes, with a {@code traceid} as the
	 * service's have.
	 */
	static String minimalJson(String id) {
		return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"test\",\"type\":\"t\",\"traceid\":\"c\"}";
	}

	static byte[] minimal(String id) {
		return minimalJson(id).getBytes(StandardCharsets.UTF_8);
	}

}
