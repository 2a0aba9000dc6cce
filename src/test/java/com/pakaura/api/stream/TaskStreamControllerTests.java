package com.pakaura.api.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;

import org.springframework.http.codec.ServerSentEvent;
import org.springframework.security.oauth2.jwt.Jwt;

import static org.assertj.core.api.Assertions.assertThat;

/** The stream a client reads, heartbeats included. No Spring, no HTTP. */
class TaskStreamControllerTests {

	@Test
	void aClientSlowerThanTheHeartbeatMissesHeartbeatsButKeepsItsStream() throws InterruptedException {
		TaskStreamController controller = new TaskStreamController(
				new TaskStream(new StreamProperties(Duration.ofMillis(5), 4, 3), new SimpleMeterRegistry()),
				new StreamProperties(Duration.ofMillis(5), 4, 3));
		Jwt alice = new Jwt("token", Instant.now(), Instant.now().plusSeconds(60), Map.of("alg", "none"),
				Map.of("sub", "alice"));
		List<Object> signals = new CopyOnWriteArrayList<>();
		BaseSubscriber<ServerSentEvent<String>> reader = new BaseSubscriber<>() {
			@Override
			protected void hookOnSubscribe(Subscription subscription) {
				// the "connected" comment, then nothing: a client that stopped reading
				request(1);
			}

			@Override
			protected void hookOnNext(ServerSentEvent<String> event) {
				signals.add(event);
			}

			@Override
			protected void hookOnError(Throwable error) {
				signals.add(error);
			}
		};
		controller.stream(alice, null).subscribe(reader);
		// many heartbeats come and find no demand
		Thread.sleep(200);

		assertThat(signals).hasSize(1).allSatisfy((signal) -> assertThat(signal).isInstanceOf(ServerSentEvent.class));
		reader.request(1);
		assertThat(reader.isDisposed()).as("the stream still open").isFalse();
		reader.dispose();
	}

}
