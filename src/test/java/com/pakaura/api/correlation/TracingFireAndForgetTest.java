package com.pakaura.api.correlation;

import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.pakaura.api.support.ServiceTest;
import com.pakaura.binder.dapr.FakeDaprSidecar;

/** The trace in the default delivery mode: events leave after the commit. */
@ServiceTest
@Import(TracingContract.InMemorySpans.class)
class TracingFireAndForgetTest extends TracingContract {

	@RegisterExtension
	static final FakeDaprSidecar SIDECAR = FakeDaprSidecar.start();

	@DynamicPropertySource
	static void sidecar(DynamicPropertyRegistry properties) {
		properties.add("DAPR_ENABLED", () -> "true");
		properties.add("DAPR_HTTP_PORT", SIDECAR::port);
		properties.add("management.tracing.sampling.probability", () -> "1.0");
	}

	@Override
	protected FakeDaprSidecar sidecar() {
		return SIDECAR;
	}

}
