package com.pakaura.api.stream;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.api.support.LiveStreamClient;
import com.pakaura.api.support.ServiceTest;
import com.pakaura.api.support.UserSession;
import com.pakaura.binder.dapr.FakeDaprSidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A local run: Dapr disabled (the default) with the binder's loopback on, as the
 * {@code local} profile has it. Changes made through REST and MCP reach the caller's live
 * stream through the consumer binding, and nothing reaches a sidecar, though one listens.
 */
@ServiceTest
@TestPropertySource(properties = "spring.cloud.stream.dapr.binder.loopback=true")
class LocalLoopbackTest {

	@RegisterExtension
	static final FakeDaprSidecar SIDECAR = FakeDaprSidecar.start();

	@DynamicPropertySource
	static void sidecar(DynamicPropertyRegistry properties) {
		properties.add("DAPR_HTTP_PORT", SIDECAR::port);
	}

	@LocalServerPort
	private int port;

	@Autowired
	private WebTestClient http;

	@Autowired
	private MeterRegistry meters;

	@Test
	void changesThroughRestAndMcpReachTheLiveStreamWithoutASidecar() {
		UserSession erin = new UserSession(this.http);
		List<ServerSentEvent<String>> seen = new CopyOnWriteArrayList<>();
		Disposable stream = watch(erin.userId(), seen);
		try {
			String task = erin.createTask("Seen locally");
			erin.post()
				.uri("/mcp")
				.contentType(MediaType.APPLICATION_JSON)
				.accept(MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM)
				.bodyValue(
						"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"complete_task\","
								+ "\"arguments\":{\"task_id\":\"" + task + "\"}}}")
				.exchange()
				.expectStatus()
				.isOk();
			await().until(() -> seen.size() == 2);
			assertThat(seen).extracting(ServerSentEvent::event).containsOnly("sync.task");
			assertThat(seen).allSatisfy((event) -> assertThat(event.data()).contains(task));
			assertThat(seen.get(0).data()).contains("\"created\"");
			assertThat(seen.get(1).data()).contains("\"completed\"");
			assertThat(SIDECAR.calls()).as("calls that reached the sidecar").isEmpty();
		}
		finally {
			stream.dispose();
		}
	}

	private Disposable watch(String userId, List<ServerSentEvent<String>> into) {
		return LiveStreamClient.watch(this.port, this.meters, userId, null, into);
	}

}
