package com.pakaura.api.support;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.cloudevents.CloudEvent;
import io.cloudevents.jackson.JsonFormat;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.integration.config.GlobalChannelInterceptor;
import org.springframework.integration.support.context.NamedComponent;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.ChannelInterceptor;

import com.pakaura.api.database.R2dbcDerivedJdbcConnectionDetails;
import com.pakaura.api.events.PublisherProbe;

/**
 * Records every message the application hands to the three event bindings, in the order
 * it hands them over, whichever binder is below. For each message it also notes what
 * another database connection sees of the task at that moment, which shows whether the
 * change was already committed.
 */
public class PublishedEvents implements ChannelInterceptor {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final List<Published> published = new CopyOnWriteArrayList<>();

	private final Runnable awaitHandedOver;

	/**
	 * @param awaitHandedOver returns once every change committed so far has had its
	 * events handed to the binder (the publisher hands them over on a thread of its own)
	 */
	public PublishedEvents(Runnable awaitHandedOver) {
		this.awaitHandedOver = awaitHandedOver;
	}

	/**
	 * One message as it was handed over.
	 *
	 * @param binding the binding it was sent to
	 * @param committedVersion the task's version another connection saw at that moment;
	 * {@code null} when it saw no row
	 */
	public record Published(String binding, Message<byte[]> message, @Nullable Long committedVersion) {

		public JsonNode json() {
			return JSON.readTree(new String(this.message.getPayload(), StandardCharsets.UTF_8));
		}

		/**
		 * The envelope as the CloudEvents SDK reads it: proof that it is a valid
		 * CloudEvent.
		 */
		public CloudEvent cloudEvent() {
			return new JsonFormat().deserialize(this.message.getPayload());
		}

		public String type() {
			return json().get("type").stringValue();
		}

		public String taskId() {
			return json().get("subject").stringValue();
		}

	}

	public void clear() {
		this.awaitHandedOver.run();
		this.published.clear();
	}

	/** Everything handed over for the changes committed so far, in order. */
	public List<Published> all() {
		this.awaitHandedOver.run();
		return List.copyOf(this.published);
	}

	/** What was published for one task, in order. */
	public List<Published> forTask(String taskId) {
		this.awaitHandedOver.run();
		return this.published.stream().filter((event) -> event.taskId().equals(taskId)).toList();
	}

	@Override
	@SuppressWarnings("unchecked")
	public Message<?> preSend(Message<?> message, MessageChannel channel) {
		Message<byte[]> bytes = (Message<byte[]>) message;
		String binding = ((NamedComponent) channel).getComponentName();
		String subject = JSON.readTree(bytes.getPayload()).get("subject").stringValue();
		this.published.add(new Published(binding, bytes, committedVersion(UUID.fromString(subject))));
		return message;
	}

	/** Reads over a separate JDBC connection, which sees committed data only. */
	private static @Nullable Long committedVersion(UUID taskId) {
		R2dbcDerivedJdbcConnectionDetails jdbc = R2dbcDerivedJdbcConnectionDetails
			.from(TestDatabase.connectionOptions());
		try (Connection connection = DriverManager.getConnection(jdbc.getJdbcUrl(), jdbc.getUsername(),
				jdbc.getPassword());
				PreparedStatement query = connection.prepareStatement("SELECT version FROM tasks WHERE id = ?")) {
			query.setObject(1, taskId);
			try (ResultSet row = query.executeQuery()) {
				return row.next() ? row.getLong(1) : null;
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Registers the recorder on the three event bindings. */
	@TestConfiguration(proxyBeanMethods = false)
	public static class Recording {

		@Bean
		@GlobalChannelInterceptor(patterns = { "task-events", "task-updates", "reminders" })
		PublishedEvents publishedEvents(ApplicationContext application) {
			return new PublishedEvents(() -> PublisherProbe.awaitHandedOver(application));
		}

	}

}
