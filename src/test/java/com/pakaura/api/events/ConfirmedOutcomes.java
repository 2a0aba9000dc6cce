package com.pakaura.api.events;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.integration.config.GlobalChannelInterceptor;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.messaging.support.MessageBuilder;

import com.pakaura.binder.dapr.DaprPublishResult;

/**
 * The dapr binder's own verdict on each event a fire-and-forget instance hands over, by
 * CloudEvent id: the recorder asks for the confirmation the outbox relay asks for
 * ({@link DaprPublishResult#CONFIRMATION_HEADER}), so that a test can say which events
 * the binder called published and which it counted as not, one by one.
 */
class ConfirmedOutcomes implements ChannelInterceptor {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final Map<String, CompletableFuture<DaprPublishResult>> byEventId = new ConcurrentHashMap<>();

	@Override
	public Message<?> preSend(Message<?> message, MessageChannel channel) {
		if (message.getHeaders().containsKey(DaprPublishResult.CONFIRMATION_HEADER)
				|| !(message.getPayload() instanceof byte[] payload)) {
			return message;
		}
		CompletableFuture<DaprPublishResult> confirmation = new CompletableFuture<>();
		this.byEventId.put(JSON.readTree(payload).get("id").stringValue(), confirmation);
		return MessageBuilder.fromMessage(message)
			.setHeader(DaprPublishResult.CONFIRMATION_HEADER, confirmation)
			.build();
	}

	/**
	 * Each event handed over so far, with its confirmation (done once the binder
	 * decided).
	 */
	Map<String, CompletableFuture<DaprPublishResult>> byEventId() {
		return Map.copyOf(this.byEventId);
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Recording {

		@Bean
		@GlobalChannelInterceptor(patterns = { "task-events", "task-updates", "reminders" })
		ConfirmedOutcomes confirmedOutcomes() {
			return new ConfirmedOutcomes();
		}

	}

}
