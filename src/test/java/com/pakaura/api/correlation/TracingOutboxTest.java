package com.pakaura.api.correlation;

import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.pakaura.api.support.ServiceTest;
import com.pakaura.binder.dapr.FakeDaprSidecar;

/** The trace in outbox mode: the relay continues it from the stored traceparent. */
@ServiceTest
@Import(TracingContract.InMemorySpans.class)
// closed after the class, not cached: its relay would go on claiming the shared table's
// rows for a sidecar that is gone (no other class shares its sidecar's port anyway)
@DirtiesContext
class TracingOutboxTest extends TracingContract {

	@RegisterExtension
	static final FakeDaprSidecar SIDECAR = FakeDaprSidecar.start();

	@DynamicPropertySource
	static void sidecar(DynamicPropertyRegistry properties) {
		properties.add("DAPR_ENABLED", () -> "true");
		properties.add("DAPR_HTTP_PORT", SIDECAR::port);
		properties.add("management.tracing.sampling.probability", () -> "1.0");
		properties.add("pakaura.events.delivery", () -> "outbox");
		properties.add("pakaura.events.outbox.poll-interval", () -> "200ms");
	}

	@Override
	protected FakeDaprSidecar sidecar() {
		return SIDECAR;
	}

}
