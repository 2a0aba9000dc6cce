package com.pakaura.api.events;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.cloudevents.CloudEvent;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.messaging.Message;

import com.pakaura.api.correlation.CorrelationId;
import com.pakaura.api.task.TaskChange;
import com.pakaura.api.task.TaskChangeListener;

/**
 * Publishes the events of every committed task change to their output bindings
 * ({@link OutputBindings}). The one place that knows topics, types and envelopes.
 *
 * <ul>
 * <li>In commit order per task: a change takes its place in its task's line inside its
 * transaction ({@link CommitOrder}) and is released only when every earlier change of the
 * task has been.</li>
 * <li>Off the database driver's thread: that thread only hands over the change and the
 * request's context; planning, envelopes and the hand-over run on one publishing thread
 * of their own, which takes changes in release order, so the binder receives each task's
 * events in {@code sequence} order.</li>
 * <li>Never failing, delaying or changing the request: whatever goes wrong is logged and
 * counted ({@code pakaura.events.publish}): {@code handed_off} for each event the binder
 * took, {@code failed} for one that could not be built or handed over, {@code dropped}
 * for one that never reached the publishing thread (its backlog full, or the service
 * stopping), and {@code commit_unknown} for the events of a change whose commit outcome
 * the database left open. Delivery itself is the binder's business.</li>
 * </ul>
 */
class TaskEventPublisher implements TaskChangeListener, SmartLifecycle, DisposableBean {

	static final String METRIC = "pakaura.events.publish";

	/** Changes that may wait for the publishing thread; each is two or three events. */
	static final int BACKLOG = 10_000;

	/** On stop, how long the publishing thread may take to hand over its backlog. */
	private static final Duration DRAIN_TIMEOUT = DeliveryDrains.PUBLISHER;

	private static final Logger log = LoggerFactory.getLogger(TaskEventPublisher.class);

	private static final Completion NOTHING_TO_PUBLISH = (end) -> {
	};

	private final OutputBindings outputs;

	private final CloudEventEnvelopes envelopes;

	private final MeterRegistry meters;

	private final ContextSnapshotFactory snapshots = ContextSnapshotFactory.builder().build();

	private final CommitOrder<CommittedChange> commitOrder = new CommitOrder<>();

	private final ThreadPoolExecutor publishing;

	private volatile boolean running;

	TaskEventPublisher(OutputBindings outputs, CloudEventEnvelopes envelopes, MeterRegistry meters) {
		this.outputs = outputs;
		this.envelopes = envelopes;
		this.meters = meters;
		this.publishing = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(BACKLOG),
				(task) -> {
					Thread thread = new Thread(task, "task-events");
					thread.setDaemon(true);
					return thread;
				});
		Gauge.builder("pakaura.events.backlog", this.publishing, (executor) -> executor.getQueue().size())
			.description("Committed changes waiting for the publishing thread")
			.register(meters);
		Gauge.builder("pakaura.events.awaiting.commit", this.commitOrder, CommitOrder::waiting)
			.description("Changes waiting for their own transaction, or for an earlier change of their task")
			.register(meters);
	}

	@Override
	public Mono<Completion> changing(List<TaskChange> changes, ContextView request) {
		return Mono.just(place(changes, request));
	}

	/**
	 * Nothing of this listener's is written with the change, so a new task needs no
	 * transaction: its place in the task's line is taken now, before its row exists.
	 */
	@Override
	public Creation creating(TaskChange intended, ContextView request) {
		CommitOrder.Place<CommittedChange> place = this.commitOrder
			.reserve(List.of(new CommittedChange(intended, request)), CommittedChange::taskId)
			.get(0);
		return new Creation() {

			@Override
			public void committed(TaskChange change) {
				TaskEventPublisher.this.commitOrder.committed(place, new CommittedChange(change, request),
						TaskEventPublisher.this::handOver, TaskEventPublisher.this::commitUnknown);
			}

			@Override
			public void failed(TransactionEnd end) {
				TaskEventPublisher.this.commitOrder.ended(List.of(place), end, TaskEventPublisher.this::handOver,
						TaskEventPublisher.this::commitUnknown);
			}

		};
	}

	private Completion place(List<TaskChange> changes, ContextView request) {
		List<CommittedChange> publishable = changes.stream()
			.filter(TaskChange::changedAnything)
			.map((change) -> new CommittedChange(change, request))
			.toList();
		if (publishable.isEmpty()) {
			return NOTHING_TO_PUBLISH;
		}
		List<CommitOrder.Place<CommittedChange>> places = this.commitOrder.reserve(publishable,
				CommittedChange::taskId);
		return (end) -> this.commitOrder.ended(places, end, this::handOver, this::commitUnknown);
	}

	/**
	 * Runs under the commit order's lock: only queues the change for the publishing
	 * thread.
	 */
	private void handOver(CommittedChange committed) {
		try {
			this.publishing.execute(new Publication(committed));
		}
		catch (RejectedExecutionException ex) {
			lost(committed, "dropped", this.publishing.isShutdown() ? "the service is stopping"
					: "the publishing backlog of " + BACKLOG + " changes is full");
		}
	}

	private void commitUnknown(CommittedChange committed) {
		lost(committed, "commit_unknown", "the database left the commit's outcome open");
	}

	private void lost(CommittedChange committed, String outcome, String reason) {
		withRequestContext(committed, () -> {
			for (TaskEvent event : TaskEventPlan.of(committed.change())) {
				count(event, outcome);
				withFields(log.atError(), event).addKeyValue("reason", reason).log("Event not published");
			}
		});
	}

	private void publish(CommittedChange committed) {
		withRequestContext(committed, () -> {
			for (TaskEvent event : TaskEventPlan.of(committed.change())) {
				publish(event, committed.request());
			}
		});
	}

	/**
	 * Runs as part of the request on this thread: log lines carry its correlation id and
	 * trace, and the binder sees its observation, whose child each sidecar request is.
	 */
	private void withRequestContext(CommittedChange committed, Runnable action) {
		try (ContextSnapshot.Scope scope = this.snapshots.setThreadLocalsFrom(committed.request(),
				CorrelationId.CONTEXT_KEY, ObservationThreadLocalAccessor.KEY)) {
			action.run();
		}
		catch (RuntimeException ex) {
			// Each event's own failure is handled in publish(); this is the plan itself
			// failing.
			counter("unknown", "unknown", "failed").increment();
			log.atError()
				.addKeyValue("task_id", committed.change().task().id())
				.addKeyValue("user_id", committed.change().task().userId())
				.addKeyValue("correlation_id",
						CorrelationId.in(committed.request()).map(CorrelationId::value).orElse(null))
				.setCause(ex)
				.log("Events of a task change could not be planned");
		}
	}

	private void publish(TaskEvent event, ContextView request) {
		try {
			CloudEvent envelope = this.envelopes.envelope(event, request);
			Message<byte[]> message = this.envelopes.message(envelope);
			if (!this.outputs.send(event.topic().binding(), message)) {
				throw new IllegalStateException("The binding did not accept the message");
			}
			count(event, "handed_off");
			withFields(log.atDebug(), event).addKeyValue("event_id", envelope.getId())
				.log("Event handed to the binder");
		}
		catch (RuntimeException ex) {
			count(event, "failed");
			withFields(log.atError(), event).setCause(ex).log("Event could not be published");
		}
	}

	private void count(TaskEvent event, String outcome) {
		counter(event.type(), event.topic().binding(), outcome).increment();
	}

	private Counter counter(String eventType, String topic, String outcome) {
		return Counter.builder(METRIC)
			.tags("event_type", eventType, "topic", topic, "outcome", outcome)
			.description("Events of committed changes by what became of them before the binder:"
					+ " handed_off, failed, dropped, commit_unknown")
			.register(this.meters);
	}

	private static LoggingEventBuilder withFields(LoggingEventBuilder line, TaskEvent event) {
		return line.addKeyValue("event_type", event.type())
			.addKeyValue("topic", event.topic().binding())
			.addKeyValue("task_id", event.taskId())
			.addKeyValue("user_id", event.userId())
			.addKeyValue("sequence", event.sequence());
	}

	/**
	 * Completes once every change released so far has been handed to the binder: the
	 * publishing thread works in release order. A change is released before its request
	 * is answered, so after an answer this says when that request's events are with the
	 * binder.
	 */
	CompletableFuture<Void> handedOver() {
		return CompletableFuture.runAsync(() -> {
		}, this.publishing);
	}

	@Override
	public void start() {
		this.running = true;
	}

	/**
	 * Hands over what is queued before the output bindings stop (they stop in a later
	 * phase). The thread itself lives on until {@link #destroy()}: a stopped context may
	 * be started again.
	 */
	@Override
	public void stop() {
		this.running = false;
		try {
			handedOver().get(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException | RejectedExecutionException ex) {
			log.warn("{} committed changes were not handed to the binder within {} of stopping",
					this.publishing.getQueue().size(), DRAIN_TIMEOUT);
		}
	}

	/**
	 * What is still queued now will never be handed over: each of its events is counted
	 * as dropped.
	 */
	@Override
	public void destroy() {
		for (Runnable left : this.publishing.shutdownNow()) {
			if (left instanceof Publication publication) {
				lost(publication.committed, "dropped", "not handed over before the service stopped");
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * After the web server has stopped taking requests, before the output bindings stop.
	 */
	@Override
	public int getPhase() {
		return 0;
	}

	/** The publishing thread's work for one change. */
	private final class Publication implements Runnable {

		private final CommittedChange committed;

		private Publication(CommittedChange committed) {
			this.committed = committed;
		}

		@Override
		public void run() {
			publish(this.committed);
		}

	}

	/** A committed change with the context of the request that made it. */
	private record CommittedChange(TaskChange change, ContextView request) {

		/** Whose line in the commit order it takes a place in. */
		UUID taskId() {
			return this.change.task().id();
		}

	}

}
