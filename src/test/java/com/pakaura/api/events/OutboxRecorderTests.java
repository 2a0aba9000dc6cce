package com.pakaura.api.events;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import com.pakaura.api.events.OutboxStore.Failure;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How {@link OutboxRecorder} groups the relay's records into statements: at once after a
 * quiet spell, and under load no sooner than {@code record-interval} after the one
 * before, with everything confirmed meanwhile. The store is a stand-in that answers at
 * once and remembers each statement's delivered ids.
 */
class OutboxRecorderTests {

	/** No timing is asserted: the interval is far longer than any wait here. */
	private static final Duration LONG_INTERVAL = Duration.ofMillis(500);

	/** Guards against a hang only. */
	private static final Duration HANG = Duration.ofSeconds(60);

	private final RememberingStore store = new RememberingStore();

	private final Counter delivered = new SimpleMeterRegistry().counter("delivered");

	@Test
	void recordsConfirmedWhileTheIntervalRunsGoTogetherInTheNextStatement() {
		OutboxRecorder recorder = new OutboxRecorder(this.store, UUID.randomUUID(), LONG_INTERVAL, this.delivered,
				() -> {
				});
		recorder.record(List.of(1L), List.of(), List.of()).block(HANG);

		Mono.when(recorder.record(List.of(2L), List.of(), List.of()),
				recorder.record(List.of(3L), List.of(), List.of()))
			.block(HANG);

		assertThat(this.store.statements).containsExactly(List.of(1L), List.of(2L, 3L));
		assertThat(this.delivered.count()).isEqualTo(3);
		assertThat(recorder.idle()).isTrue();
	}

	/**
	 * The interval is long enough that a first record made to wait for it would fail this
	 * test by its hang guard.
	 */
	@Test
	void aRecordAfterAQuietSpellLeavesAtOnce() {
		OutboxRecorder recorder = new OutboxRecorder(this.store, UUID.randomUUID(), Duration.ofHours(1), this.delivered,
				() -> {
				});

		recorder.record(List.of(7L), List.of(), List.of()).block(HANG);

		assertThat(this.store.statements).containsExactly(List.of(7L));
	}

	private static final class RememberingStore extends OutboxStore {

		private final List<List<Long>> statements = new CopyOnWriteArrayList<>();

		RememberingStore() {
			super(null, null, null, new Binder(new MapConfigurationPropertySource(Map.of()))
				.bindOrCreate("pakaura.events", EventsProperties.class));
		}

		@Override
		Mono<Long> record(UUID relay, Long[] delivered, List<Failure> failures, Long[] claims) {
			this.statements.add(Arrays.asList(delivered));
			return Mono.just((long) delivered.length);
		}

	}

}
