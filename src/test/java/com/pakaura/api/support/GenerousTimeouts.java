package com.pakaura.api.support;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Every test class waits with Awaitility up to a minute unless it says otherwise. Waits
 * guard against hangs, they do not measure speed: the suite has to pass on a busy
 * two-core machine. Registered for all tests through JUnit's extension auto-detection.
 */
public class GenerousTimeouts implements BeforeAllCallback {

	public static final Duration PATIENCE = Duration.ofSeconds(60);

	@Override
	public void beforeAll(ExtensionContext context) {
		Awaitility.setDefaultTimeout(PATIENCE);
	}

}
