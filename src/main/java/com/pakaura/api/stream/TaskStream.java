package com.pakaura.api.stream;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

/**
 * Who is watching which user's tasks, and what each of them has not been sent yet.
 *
 * <ul>
 * <li>Each open stream has its own bounded buffer: a slow client never holds up the
 * others. One that falls {@code client-buffer} events behind gets a final
 * {@code stream.overflow} event and is closed, and the overflow is counted
 * ({@code pakaura.stream.overflows}).</li>
 * <li>The last {@code replay} events of each user are kept in memory, so a client that
 * reconnects with {@code Last-Event-ID} gets what it missed, when the id is still among
 * them. Nothing older, and nothing across a restart or from another replica's memory: a
 * client that finds its id gone gets a {@code stream.reset} event and reloads the
 * list.</li>
 * </ul>
 */
@Component
@EnableConfigurationProperties(StreamProperties.class)
public class TaskStream {

	/** Sent last to a client that fell too far behind. */
	static final String OVERFLOW = "stream.overflow";

	/** Sent first to a reconnecting client whose Last-Event-ID is no longer known. */
	static final String RESET = "stream.reset";

	private final StreamProperties properties;

	private final Map<String, Set<Client>> clients = new ConcurrentHashMap<>();

	private final Map<String, ArrayDeque<StreamEvent>> recent = new ConcurrentHashMap<>();

	private final Counter overflows;

	TaskStream(StreamProperties properties, MeterRegistry meters) {
		this.properties = properties;
		this.overflows = Counter.builder("pakaura.stream.overflows")
			.description("Streams closed because their client fell too far behind")
			.register(meters);
		Gauge.builder("pakaura.stream.clients", this.clients, (all) -> all.values().stream().mapToInt(Set::size).sum())
			.description("Open task streams")
			.register(meters);
	}

	/**
	 * One event of one user's tasks.
	 *
	 * @param id the CloudEvent id
	 * @param type the CloudEvent type, such as {@code sync.task}
	 * @param data the event's data, as JSON
	 */
	public record StreamEvent(String id, String type, String data) {

	}

	/** Sends the event to every stream the user has open, and keeps it for reconnects. */
	public void publish(String userId, StreamEvent event) {
		ArrayDeque<StreamEvent> kept = this.recent.computeIfAbsent(userId, (user) -> new ArrayDeque<>());
		synchronized (kept) {
			kept.addLast(event);
			while (kept.size() > this.properties.replay()) {
				kept.removeFirst();
			}
		}
		for (Client client : this.clients.getOrDefault(userId, Set.of())) {
			client.offer(event);
		}
	}

	/**
	 * The user's events from now on, after what a reconnecting client missed.
	 * @param lastEventId the last event the client got, if it is reconnecting
	 */
	public Flux<StreamEvent> open(String userId, @Nullable String lastEventId) {
		return Flux.defer(() -> {
			Client client = new Client(this.properties.clientBuffer());
			this.clients.computeIfAbsent(userId, (user) -> ConcurrentHashMap.newKeySet()).add(client);
			return Flux.concat(Flux.fromIterable(missed(userId, lastEventId)), client.events())
				.doFinally((signal) -> close(userId, client));
		});
	}

	private List<StreamEvent> missed(String userId, @Nullable String lastEventId) {
		if (lastEventId == null) {
			return List.of();
		}
		ArrayDeque<StreamEvent> kept = this.recent.getOrDefault(userId, new ArrayDeque<>());
		synchronized (kept) {
			List<StreamEvent> all = new ArrayList<>(kept);
			for (int i = 0; i < all.size(); i++) {
				if (all.get(i).id().equals(lastEventId)) {
					return List.copyOf(all.subList(i + 1, all.size()));
				}
			}
		}
		return List.of(new StreamEvent(lastEventId, RESET, "{\"reason\":\"the last event id is no longer kept\"}"));
	}

	private void close(String userId, Client client) {
		this.clients.computeIfPresent(userId, (user, open) -> {
			open.remove(client);
			return open.isEmpty() ? null : open;
		});
	}

	/** One open stream: its own bounded buffer. */
	private final class Client {

		private final int capacity;

		private final ArrayBlockingQueue<StreamEvent> buffer;

		private final Sinks.Many<StreamEvent> sink;

		private boolean closed;

		Client(int capacity) {
			this.capacity = capacity;
			// one slot more than the capacity, for the final overflow event
			this.buffer = new ArrayBlockingQueue<>(capacity + 1);
			this.sink = Sinks.many().unicast().onBackpressureBuffer(this.buffer);
		}

		Flux<StreamEvent> events() {
			return this.sink.asFlux();
		}

		synchronized void offer(StreamEvent event) {
			if (this.closed) {
				return;
			}
			if (this.buffer.size() >= this.capacity) {
				this.closed = true;
				TaskStream.this.overflows.increment();
				this.sink.tryEmitNext(new StreamEvent(event.id(), OVERFLOW, "{\"reason\":\"the client fell more than "
						+ this.capacity + " events behind; reconnect with Last-Event-ID\"}"));
				this.sink.tryEmitComplete();
				return;
			}
			this.sink.tryEmitNext(event);
		}

	}

}
