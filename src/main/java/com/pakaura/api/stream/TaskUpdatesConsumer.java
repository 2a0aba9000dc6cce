package com.pakaura.api.stream;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.jackson.JsonFormat;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;
import org.springframework.messaging.converter.MessageConversionException;

/**
 * The consumer binding {@code taskUpdates-in-0}: each {@code sync.task} event that
 * arrives on {@code task-updates} goes to its user's open streams. Through the broker,
 * not a shortcut inside the process, so every replica's users see every replica's
 * changes. A message that is not a task update is refused as unconvertible, which the
 * dapr binder answers with DROP.
 */
@Configuration(proxyBeanMethods = false)
class TaskUpdatesConsumer {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final EventFormat STRUCTURED = new JsonFormat();

	@Bean
	Consumer<Message<byte[]>> taskUpdates(TaskStream stream) {
		return (message) -> {
			TaskStream.StreamEvent event = eventOf(message);
			String user;
			try {
				JsonNode data = JSON.readTree(event.data());
				user = (data != null) ? data.path("user_id").stringValue() : null;
			}
			catch (JacksonException ex) {
				throw new MessageConversionException(message, "The data of a task update is not JSON");
			}
			if (!"sync.task".equals(event.type()) || user == null) {
				throw new MessageConversionException(message, "Not a sync.task event with an id and a user_id");
			}
			stream.publish(user, event);
		};
	}

	/**
	 * The event in either CloudEvents mode: binary, as the dapr binder hands it over (the
	 * data as payload, attributes as {@code ce-*} headers), or structured, as a binder
	 * that passes the record on does (the whole event as payload,
	 * {@code application/cloudevents+json}).
	 */
	private static TaskStream.StreamEvent eventOf(Message<byte[]> message) {
		Object id = message.getHeaders().get("ce-id");
		Object type = message.getHeaders().get("ce-type");
		if (id != null && type != null) {
			return new TaskStream.StreamEvent(id.toString(), type.toString(),
					new String(message.getPayload(), StandardCharsets.UTF_8));
		}
		try {
			CloudEvent event = STRUCTURED.deserialize(message.getPayload());
			byte[] data = (event.getData() != null) ? event.getData().toBytes() : new byte[0];
			return new TaskStream.StreamEvent(event.getId(), event.getType(), new String(data, StandardCharsets.UTF_8));
		}
		catch (RuntimeException ex) {
			throw new MessageConversionException(message, "Neither a binary nor a structured CloudEvent");
		}
	}

}
