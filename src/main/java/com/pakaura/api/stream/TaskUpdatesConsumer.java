package com.pakaura.api.stream;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;
import org.springframework.messaging.converter.MessageConversionException;

/**
 * The consumer binding {@code taskUpdates-in-0}: each {@code sync.task} event that arrives on
 * {@code task-updates} goes to its user's open streams. Through the broker, not a shortcut inside
 * the process, so every replica's users see every replica's changes. A message that is not a task
 * update is refused as unconvertible, which the dapr binder answers with DROP.
 */
@Configuration(proxyBeanMethods = false)
class TaskUpdatesConsumer {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Bean
	Consumer<Message<byte[]>> taskUpdates(TaskStream stream) {
		return (message) -> {
			String type = String.valueOf(message.getHeaders().get("ce-type"));
			Object id = message.getHeaders().get("ce-id");
			String user;
			try {
				JsonNode data = JSON.readTree(message.getPayload());
				user = (data != null) ? data.path("user_id").stringValue() : null;
			}
			catch (JacksonException ex) {
				throw new MessageConversionException(message, "The data of a task update is not JSON");
			}
			if (!"sync.task".equals(type) || id == null || user == null) {
				throw new MessageConversionException(message, "Not a sync.task event with an id and a user_id");
			}
			stream.publish(user, new TaskStream.StreamEvent(id.toString(), type,
					new String(message.getPayload(), StandardCharsets.UTF_8)));
		};
	}

}
