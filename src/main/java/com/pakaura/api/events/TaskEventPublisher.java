package com.pakaura.api.events;

import io.cloudevents.CloudEvent;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;
import reactor.util.context.ContextView;

import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

import com.pakaura.api.correlation.CorrelationId;
import com.pakaura.api.task.TaskChange;
import com.pakaura.api.task.TaskChangeListener;

/**
 * Publishes the events of every committed task change through {@link StreamBridge}. The one
 * place that knows topics, types and envelopes.
 *
 * <p>
 * It never fails, delays or changes the request that made the change: whatever goes wrong
 * while building or sending an event is logged at ERROR and counted
 * ({@code pakaura.events.publish}, outcome {@code failed}), and the request goes on. Each
 * event handed to the binder is logged at DEBUG. Delivery itself (HTTP to the sidecar, its
 * outcome) is the binder's business and never blocks this thread.
 */
@Component
class TaskEventPublisher implements TaskChangeListener {

	static final String METRIC = "pakaura.events.publish";

	private static final Logger log = LoggerFactory.getLogger(TaskEventPublisher.class);

	private final StreamBridge streamBridge;

	private final CloudEventEnvelopes envelopes;

	private final MeterRegistry meters;

	private final ContextSnapshotFactory snapshots = ContextSnapshotFactory.builder().build();

	TaskEventPublisher(StreamBridge streamBridge, CloudEventEnvelopes envelopes, MeterRegistry meters) {
		this.streamBridge = streamBridge;
		this.envelopes = envelopes;
		this.meters = meters;
	}

	@Override
	public void committed(TaskChange change, ContextView request) {
		// Log lines below carry the request's correlation id whichever thread this is.
		try (ContextSnapshot.Scope scope = this.snapshots.setThreadLocalsFrom(request, CorrelationId.CONTEXT_KEY)) {
			for (TaskEvent event : TaskEventPlan.of(change)) {
				publish(event, request);
			}
		}
		catch (RuntimeException | LinkageError ex) {
			// Each event's own failure is handled in publish(); this is the plan itself failing.
			this.meters.counter(METRIC, "event_type", "unknown", "topic", "unknown", "outcome", "failed").increment();
			log.atError()
				.addKeyValue("task_id", change.task().id())
				.addKeyValue("user_id", change.task().userId())
				.addKeyValue("correlation_id", CorrelationId.in(request).map(CorrelationId::value).orElse(null))
				.setCause(ex)
				.log("Events of a task change could not be planned");
		}
	}

	private void publish(TaskEvent event, ContextView request) {
		try {
			CloudEvent envelope = this.envelopes.envelope(event, request);
			Message<byte[]> message = this.envelopes.message(envelope, request);
			if (!this.streamBridge.send(event.topic().binding(), message)) {
				throw new IllegalStateException("The binding did not accept the message");
			}
			count(event, "handed_off");
			withFields(log.atDebug(), event).addKeyValue("event_id", envelope.getId()).log("Event handed to the binder");
		}
		catch (RuntimeException | LinkageError ex) {
			count(event, "failed");
			withFields(log.atError(), event).setCause(ex).log("Event could not be published");
		}
	}

	private void count(TaskEvent event, String outcome) {
		this.meters.counter(METRIC, "event_type", event.type(), "topic", event.topic().binding(), "outcome", outcome)
			.increment();
	}

	private static LoggingEventBuilder withFields(LoggingEventBuilder line, TaskEvent event) {
		return line.addKeyValue("event_type", event.type())
			.addKeyValue("topic", event.topic().binding())
			.addKeyValue("task_id", event.taskId())
			.addKeyValue("user_id", event.userId());
	}

}
