package com.pakaura.api.stream;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Unit tests of {@link TaskStream}: per-client buffers, overflow, replay. No Spring, no
 * HTTP.
 */
class TaskStreamTests {

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final TaskStream stream = new TaskStream(new StreamProperties(Duration.ofSeconds(15), 4, 3), this.meters);

	@Test
	void aClientThatStopsReadingGetsAFinalOverflowEventAndIsClosedWithoutHoldingUpOthers() {
		Reader slow = new Reader(0);
		Reader fast = new Reader(Long.MAX_VALUE);
		this.stream.open("alice", null).subscribe(slow);
		this.stream.open("alice", null).subscribe(fast);
		for (int i = 0; i < 10; i++) {
			this.stream.publish("alice", event(i));
		}
		assertThat(fast.received).hasSize(10);
		assertThat(slow.received).isEmpty();

		slow.request(100);
		assertThat(slow.received).extracting(TaskStream.StreamEvent::type)
			.containsExactly("sync.task", "sync.task", "sync.task", "sync.task", TaskStream.OVERFLOW);
		assertThat(slow.completed).isTrue();
		assertThat(this.meters.get("pakaura.stream.overflows").counter().count()).isEqualTo(1);
		assertThat(this.meters.get("pakaura.stream.clients").gauge().value()).isEqualTo(1);
		fast.dispose();
		assertThat(this.meters.get("pakaura.stream.clients").gauge().value()).isZero();
	}

	@Test
	void aReconnectingClientGetsWhatItMissedWhileItsIdIsKeptAndAResetOtherwise() {
		for (int i = 0; i < 5; i++) {
			this.stream.publish("bob", event(i));
		}
		Reader resumed = new Reader(Long.MAX_VALUE);
		this.stream.open("bob", "e-3").subscribe(resumed);
		assertThat(resumed.received).extracting(TaskStream.StreamEvent::id).containsExactly("e-4");

		Reader tooLate = new Reader(Long.MAX_VALUE);
		this.stream.open("bob", "e-0").subscribe(tooLate);
		assertThat(tooLate.received).extracting(TaskStream.StreamEvent::type).containsExactly(TaskStream.RESET);
	}

	@Test
	void eachUserGetsOnlyTheirOwnEvents() {
		Reader alice = new Reader(Long.MAX_VALUE);
		this.stream.open("alice", null).subscribe(alice);
		this.stream.publish("mallory", event(1));
		assertThat(alice.received).isEmpty();
	}

	private static TaskStream.StreamEvent event(int n) {
		return new TaskStream.StreamEvent("e-" + n, "sync.task", "{\"n\":" + n + "}");
	}

	/** A client that asks for a given number of events at first, and more when told. */
	private static final class Reader extends BaseSubscriber<TaskStream.StreamEvent> {

		private final long initialDemand;

		private final List<TaskStream.StreamEvent> received = new CopyOnWriteArrayList<>();

		private volatile boolean completed;

		Reader(long initialDemand) {
			this.initialDemand = initialDemand;
		}

		@Override
		protected void hookOnSubscribe(Subscription subscription) {
			if (this.initialDemand > 0) {
				request(this.initialDemand);
			}
		}

		@Override
		protected void hookOnNext(TaskStream.StreamEvent value) {
			this.received.add(value);
		}

		@Override
		protected void hookOnComplete() {
			this.completed = true;
		}

	}

}
