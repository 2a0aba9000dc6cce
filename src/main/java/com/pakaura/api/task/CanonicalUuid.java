package com.pakaura.api.task;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Task ids as RFC 9562 writes them: 36 characters, hex digits in groups of 8-4-4-4-12.
 * {@link UUID#fromString} also takes {@code 1-1-1-1-1} and pads it, so one task would
 * have many spellings.
 */
public final class CanonicalUuid {

	private static final Pattern CANONICAL = Pattern
		.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

	private CanonicalUuid() {
	}

	/**
	 * @throws IllegalArgumentException unless the text is a UUID in its canonical form
	 */
	public static UUID parse(String text) {
		if (!CANONICAL.matcher(text).matches()) {
			throw new IllegalArgumentException("Not a UUID in canonical form: 8-4-4-4-12 hex digits");
		}
		return UUID.fromString(text);
	}

}
