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
 * it hands them over, whichever binder is below. Recording does no I/O: it runs on the
 * publisher's own thread, and anything slow here would slow and serialize the publish
 * path under test. A test that asks for it ({@link #probeCommittedVersions()}) also gets,
 * for each message, what another database connection sees of the task at that moment,
 * which shows whether the change was already committed.
 */
public class PublishedEvents implements ChannelInterceptor {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final List<Published> published = new CopyOnWriteArrayList<>();

	private final Runnable awaitHandedOver;

	/**
	 * Held open while a test probes, so a probe is one query on a connection that is
	 * already there, not a connection set-up per event.
	 */
	private volatile @Nullable Connection committedVersionProbe;

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
	 * @param probed whether the committed version was probed at hand-over
	 * @param seenVersion the task's version another connection saw at that moment;
	 * {@code null} when it saw no row or did not look
	 */
	public record Published(String binding, Message<byte[]> message, boolean probed, @Nullable Long seenVersion) {

		/**
		 * The task's version another connection saw at hand-over; {@code null} when it
		 * saw no row.
		 */
		public @Nullable Long committedVersion() {
			if (!this.probed) {
				throw new IllegalStateException("Committed versions were not probed: call probeCommittedVersions()");
			}
			return this.seenVersion;
		}

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

	/** Forgets what was recorded so far and stops probing committed versions. */
	public synchronized void clear() {
		this.awaitHandedOver.run();
		this.published.clear();
		closeProbe();
	}

	/**
	 * From now until {@link #clear()}, notes for each message what another connection
	 * sees of its task at hand-over.
	 */
	public synchronized void probeCommittedVersions() {
		if (this.committedVersionProbe != null) {
			return;
		}
		R2dbcDerivedJdbcConnectionDetails jdbc = R2dbcDerivedJdbcConnectionDetails
			.from(TestDatabase.connectionOptions());
		try {
			this.committedVersionProbe = DriverManager.getConnection(jdbc.getJdbcUrl(), jdbc.getUsername(),
					jdbc.getPassword());
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void closeProbe() {
		if (this.committedVersionProbe != null) {
			try {
				this.committedVersionProbe.close();
			}
			catch (SQLException ex) {
				// the probe only reads; nothing is lost with it
			}
			this.committedVersionProbe = null;
		}
	}

	/** Everything handed over for the changes committed so far, in order. */
	public List<Published> all() {
		this.awaitHandedOver.run();
		return List.copyOf(this.published);
	}

	/**
	 * What has been handed over up to now, without waiting for the publisher: a look
	 * taken while a transaction is still committing.
	 */
	public List<Published> soFar() {
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
		Connection probe = this.committedVersionProbe;
		if (probe == null) {
			this.published.add(new Published(binding, bytes, false, null));
		}
		else {
			String subject = JSON.readTree(bytes.getPayload()).get("subject").stringValue();
			this.published.add(new Published(binding, bytes, true, committedVersion(probe, UUID.fromString(subject))));
		}
		return message;
	}

	/**
	 * Reads over a separate JDBC connection in auto-commit, which sees committed data
	 * only.
	 */
	private static synchronized @Nullable Long committedVersion(Connection probe, UUID taskId) {
		try (PreparedStatement query = probe.prepareStatement("SELECT version FROM tasks WHERE id = ?")) {
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
