package com.pakaura.api.events;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;

/**
 * Hands a message to an output binding. The bindings of
 * {@code spring.cloud.stream.output-bindings} are bound at start, each as a channel bean
 * named after it, and a message goes straight to that channel, as {@link StreamBridge}
 * sends it there itself once it has run the message through its pass-through function.
 * That function changes nothing in a {@code byte[]} CloudEvent whose content type is set,
 * but for each message it parses the whole payload to see whether it is a JSON array
 * (Spring Cloud Function's {@code fluxifyInputIfNecessary}), observes the call, and takes
 * a process-wide lock twice: a fifth of the outbox relay's CPU went there. A binding
 * without a bean of its own (not bound at start) goes through {@link StreamBridge}, which
 * binds it.
 */
final class OutputBindings {

	private final BeanFactory beans;

	private final StreamBridge streamBridge;

	private final Map<String, Sender> senders = new ConcurrentHashMap<>();

	OutputBindings(BeanFactory beans, StreamBridge streamBridge) {
		this.beans = beans;
		this.streamBridge = streamBridge;
	}

	/** Whether the binding took the message. */
	boolean send(String binding, Message<?> message) {
		return this.senders.computeIfAbsent(binding, this::senderFor).send(message);
	}

	private Sender senderFor(String binding) {
		if (this.beans.containsBean(binding) && this.beans.isTypeMatch(binding, MessageChannel.class)) {
			return this.beans.getBean(binding, MessageChannel.class)::send;
		}
		return (message) -> this.streamBridge.send(binding, message);
	}

	private interface Sender {

		boolean send(Message<?> message);

	}

}
