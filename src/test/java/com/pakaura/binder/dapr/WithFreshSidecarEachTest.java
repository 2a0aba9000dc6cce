package com.pakaura.binder.dapr;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A test with a fresh {@link FakeDaprSidecar} for each test method. */
abstract class WithFreshSidecarEachTest {

	protected FakeDaprSidecar sidecar;

	@BeforeEach
	void startSidecar() {
		this.sidecar = FakeDaprSidecar.start();
	}

	@AfterEach
	void stopSidecar() {
		this.sidecar.close();
	}

	/** A port nothing listens on: a sidecar that is not there (yet). */
	protected static int freePort() {
		return FakeDaprSidecar.freePort();
	}

}
