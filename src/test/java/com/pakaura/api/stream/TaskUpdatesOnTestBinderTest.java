package com.pakaura.api.stream;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.stream.binder.test.InputDestination;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.test.context.TestPropertySource;

import com.pakaura.api.support.ApiTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The same consumer binding on Spring Cloud Stream's test binder: a message as the dapr
 * binder hands it over (the CloudEvent's data as payload, its attributes as {@code ce-*}
 * headers) reaches the user's stream. The binder swap, consumer side.
 *
 * <p>
 * A context of its own: the test binder's {@code InputDestination} keeps the channel of
 * the first binding, so in a context that the test framework paused and restarted it
 * would send to a channel nobody listens to any more.
 */
@ApiTest
@TestPropertySource(properties = "pakaura.stream.replay=99")
class TaskUpdatesOnTestBinderTest {

	@Autowired
	private InputDestination input;

	@Autowired
	private TaskStream stream;

	@Test
	void aTaskUpdateOnTheTestBindersInputReachesItsUsersStream() {
		List<TaskStream.StreamEvent> seen = new CopyOnWriteArrayList<>();
		Disposable watching = this.stream.open("dave", null).subscribe(seen::add);
		try {
			this.input.send(MessageBuilder
				.withPayload("{\"task_id\":\"t-9\",\"user_id\":\"dave\",\"action\":\"created\"}"
					.getBytes(StandardCharsets.UTF_8))
				.setHeader("ce-id", "e-9")
				.setHeader("ce-type", "sync.task")
				.setHeader("contentType", "application/json")
				.build(), "task-updates");
			await().until(() -> seen.size() == 1);
			assertThat(seen.get(0)).isEqualTo(new TaskStream.StreamEvent("e-9", "sync.task",
					"{\"task_id\":\"t-9\",\"user_id\":\"dave\",\"action\":\"created\"}"));
		}
		finally {
			watching.dispose();
		}
	}

}
