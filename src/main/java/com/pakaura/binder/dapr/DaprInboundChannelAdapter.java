package com.pakaura.binder.dapr;

import java.util.Map;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.integration.core.Pausable;
import org.springframework.integration.endpoint.MessageProducerSupport;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.MessagingException;
import org.springframework.messaging.converter.MessageConversionException;
import org.springframework.messaging.support.ErrorMessage;
import org.springframework.messaging.support.MessageBuilder;

/**
 * The consumer side of one input binding: each message the sidecar delivers on the
 * binding's route becomes a Spring message and goes to the binding, and the answer tells
 * daprd what to do with it (dapr pkg/runtime/subscription/subscription.go reads
 * {@code {"status": ...}}):
 * <ul>
 * <li>SUCCESS once the handler has completed;</li>
 * <li>RETRY when it failed on each of the binding's {@code maxAttempts} (DROP where the
 * binding sets {@code drop-when-exhausted}), and when the binding is stopped or paused
 * (then nothing reaches it; a binding without a group, stopped, stays so, Spring Cloud
 * Stream's rule, while a pause can be resumed); what daprd does with a RETRY depends on
 * the subscription: see {@link DeliveryStatus#RETRY};</li>
 * <li>DROP for a message no retry can help (not a CloudEvent, a payload that cannot be
 * converted): daprd drops it, into the dead-letter topic when one is configured.</li>
 * </ul>
 * The CloudEvent is read with the CloudEvents SDK: its {@code data} becomes the payload
 * (typed by {@code datacontenttype}, converted as Spring Cloud Stream converts any
 * payload), its attributes {@code ce-*} headers, and, unless the binding's
 * {@code header-mode} is {@code none}, daprd's metadata ({@code __key},
 * {@code __partition}, {@code __offset}, record headers) headers as they came
 * ({@link DaprHeaderMapper}). Each outcome is counted ({@code dapr.consume}: success,
 * retry, drop, and stopped for one refused while the binding is stopped or paused) and
 * each failure logged in one WARN line; a message that failed on every attempt also goes
 * to the binding's error channel, once, before it is answered RETRY, as in Spring Cloud
 * Stream's other binders.
 */
final class DaprInboundChannelAdapter extends MessageProducerSupport implements DaprInbound, Pausable {

	static final String COUNTER = "dapr.consume";

	private static final Logger log = LoggerFactory.getLogger(DaprInboundChannelAdapter.class);

	private static final EventFormat CLOUD_EVENTS_JSON = EventFormatProvider.getInstance()
		.resolveFormat(JsonFormat.CONTENT_TYPE);

	private final String binding;

	private final String topic;

	private final RetryTemplate retry;

	private final boolean dropWhenExhausted;

	private final DaprHeaderMapper headerMapper;

	private final Counter succeeded;

	private final Counter retried;

	private final Counter dropped;

	private final Counter stopped;

	private volatile @Nullable MessageChannel failures;

	private volatile boolean paused;

	DaprInboundChannelAdapter(String binding, String topic, RetryTemplate retry, MeterRegistry meters,
			boolean dropWhenExhausted, DaprHeaderMapper headerMapper) {
		this.binding = binding;
		this.topic = topic;
		this.retry = retry;
		this.dropWhenExhausted = dropWhenExhausted;
		this.headerMapper = headerMapper;
		this.succeeded = counter(meters, "success");
		this.retried = counter(meters, "retry");
		this.dropped = counter(meters, "drop");
		this.stopped = counter(meters, "stopped");
	}

	private Counter counter(MeterRegistry meters, String outcome) {
		return Counter.builder(COUNTER)
			.tags("binding", this.binding, "topic", this.topic, "outcome", outcome)
			.description("Messages the Dapr sidecar delivered, by the answer they got")
			.register(meters);
	}

	@Override
	public DeliveryStatus deliver(Map<String, String> headers, byte[] body) {
		if (!isRunning() || this.paused) {
			// a stopped or paused binding takes nothing: the message stays daprd's
			this.stopped.increment();
			log.atDebug()
				.addKeyValue("binding", this.binding)
				.addKeyValue("topic", this.topic)
				.log("Delivered message refused: the binding is {}", this.paused ? "paused" : "stopped");
			return DeliveryStatus.RETRY;
		}
		Message<byte[]> message;
		try {
			message = toMessage(headers, body);
		}
		catch (RuntimeException ex) {
			return drop("not a structured CloudEvent: " + ex.getMessage());
		}
		try {
			this.retry.execute(() -> {
				sendMessage(message);
				return Boolean.TRUE;
			});
			this.succeeded.increment();
			return DeliveryStatus.SUCCESS;
		}
		catch (RetryException ex) {
			Throwable cause = ex.getCause();
			toErrorChannel(message, cause);
			for (Throwable inner = cause; inner != null; inner = inner.getCause()) {
				if (inner instanceof MessageConversionException) {
					return drop("its payload cannot be converted: " + inner.getMessage());
				}
			}
			if (this.dropWhenExhausted) {
				return drop("it failed on each of its attempts: " + cause);
			}
			this.retried.increment();
			log.atWarn()
				.addKeyValue("binding", this.binding)
				.addKeyValue("topic", this.topic)
				.addKeyValue("event_id", message.getHeaders().get("ce-id"))
				.addKeyValue("error", String.valueOf(cause))
				.log("Delivered message failed after its attempts; answered RETRY");
			return DeliveryStatus.RETRY;
		}
	}

	@Override
	public DeliveryStatus tooLarge(long maxBodyBytes) {
		return drop("larger than the binder's max-body-size of " + maxBodyBytes + " bytes");
	}

	/**
	 * Spring Cloud Stream's binding error channel, which hears of every message that
	 * failed for good. Not the producer's own error channel: with one,
	 * {@code sendMessage} would swallow the handler's failure, and the retries and the
	 * RETRY answer would never see it.
	 */
	void failuresTo(MessageChannel errors) {
		this.failures = errors;
	}

	private void toErrorChannel(Message<?> message, Throwable cause) {
		MessageChannel errors = this.failures;
		if (errors == null) {
			return;
		}
		try {
			errors.send(new ErrorMessage(new MessagingException(message, cause.getMessage(), cause), message));
		}
		catch (RuntimeException ex) {
			log.debug("The error channel did not take the failure", ex);
		}
	}

	private DeliveryStatus drop(String why) {
		this.dropped.increment();
		log.atWarn()
			.addKeyValue("binding", this.binding)
			.addKeyValue("topic", this.topic)
			.log("Delivered message dropped: {}", why);
		return DeliveryStatus.DROP;
	}

	private Message<byte[]> toMessage(Map<String, String> headers, byte[] body) {
		CloudEvent event = CLOUD_EVENTS_JSON.deserialize(body);
		byte[] data = (event.getData() != null) ? event.getData().toBytes() : new byte[0];
		MessageBuilder<byte[]> message = MessageBuilder.withPayload(data);
		this.headerMapper.toMessage(headers, message);
		message.setHeader("ce-id", event.getId())
			.setHeader("ce-source", event.getSource().toString())
			.setHeader("ce-type", event.getType())
			.setHeader("ce-specversion", event.getSpecVersion().toString());
		if (event.getSubject() != null) {
			message.setHeader("ce-subject", event.getSubject());
		}
		if (event.getTime() != null) {
			message.setHeader("ce-time", event.getTime().toString());
		}
		for (String extension : event.getExtensionNames()) {
			Object value = event.getExtension(extension);
			if (value != null) {
				message.setHeader("ce-" + extension, value.toString());
			}
		}
		message.setHeader(MessageHeaders.CONTENT_TYPE,
				(event.getDataContentType() != null) ? event.getDataContentType() : "application/json");
		return message.build();
	}

	/**
	 * Spring Cloud Stream's pause ({@code /actuator/bindings}, state PAUSED): deliveries
	 * are answered RETRY until {@link #resume()}. Unlike a stop, it can be undone on a
	 * binding without a group, which Spring Cloud Stream does not start again.
	 */
	@Override
	public void pause() {
		this.paused = true;
	}

	@Override
	public void resume() {
		this.paused = false;
	}

	@Override
	public boolean isPaused() {
		return this.paused;
	}

	@Override
	public String getComponentType() {
		return "dapr:inbound-channel-adapter";
	}

}
