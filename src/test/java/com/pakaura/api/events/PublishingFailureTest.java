package com.pakaura.api.events;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.util.context.Context;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.stream.binder.Binder;
import org.springframework.cloud.stream.binder.Binding;
import org.springframework.cloud.stream.binder.ConsumerProperties;
import org.springframework.cloud.stream.binder.DefaultBinding;
import org.springframework.cloud.stream.binder.ProducerProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageDeliveryException;
import org.springframework.messaging.SubscribableChannel;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.pakaura.api.correlation.CorrelationId;
import com.pakaura.api.support.ServiceTest;
import com.pakaura.api.support.TaskRows;
import com.pakaura.api.support.Tokens;
import com.pakaura.api.support.UserSession;
import com.pakaura.api.task.Task;
import com.pakaura.api.task.TaskChange;
import com.pakaura.api.task.TaskChangeListener.TransactionEnd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.awaitility.Awaitility.await;

/**
 * A binder that throws on every send: the API answers exactly as usual, the changes are
 * committed, and each lost event is logged at ERROR with its fields and counted. The same
 * holds when the events of a change cannot even be planned.
 */
@ServiceTest
@TestPropertySource(properties = "spring.cloud.stream.default-binder=brokenBinder")
@Import(PublishingFailureTest.BrokenBinderConfiguration.class)
@ExtendWith(OutputCaptureExtension.class)
class PublishingFailureTest {

	@Autowired
	private WebTestClient http;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private MeterRegistry meters;

	@Autowired
	private TaskEventPublisher publisher;

	@Test
	void everyRouteAnswersAsUsualWhenTheBinderThrows(CapturedOutput output) {
		UserSession user = new UserSession(this.http);
		double failedBefore = failed();

		Map<String, Object> created = user.post()
			.uri("/api/tasks")
			.header("X-Correlation-ID", "broken-binder-1")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("title", "Survives", "due_date", "2026-12-01T08:00:00Z"))
			.exchange()
			.expectStatus()
			.isCreated()
			.expectHeader()
			.exists("Location")
			.expectBody(UserSession.JSON_OBJECT)
			.returnResult()
			.getResponseBody();
		String id = (String) created.get("id");
		assertThat(created).containsEntry("title", "Survives");

		user.patch()
			.uri("/api/tasks/{id}", id)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"title\":\"Still\"}")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.title")
			.isEqualTo("Still");
		user.post()
			.uri("/api/tasks/{id}/complete", id)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.completed")
			.isEqualTo(true);
		assertThat(new TaskRows(this.db).of(user.userId())).singleElement()
			.satisfies((row) -> assertThat(row).containsEntry("title", "Still")
				.containsEntry("completed", true)
				.containsEntry("version", 3L));
		user.delete().uri("/api/tasks/{id}", id).exchange().expectStatus().isNoContent();
		assertThat(new TaskRows(this.db).of(user.userId())).isEmpty();

		// create 3 + patch 2 + complete 2 + delete 3 events, none of which got out
		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(failed() - failedBefore).isEqualTo(10));
		await().atMost(Duration.ofSeconds(60))
			.untilAsserted(() -> assertThat(output.getOut()
				.lines()
				.filter((line) -> line.contains("Event could not be published")
						&& line.contains("\"correlation_id\":\"broken-binder-1\"")))
				.hasSize(3)
				.allSatisfy((line) -> assertThat(line).contains("\"level\":\"ERROR\"")
					.contains("\"task_id\":\"" + id + "\"")
					.contains("\"user_id\":\"" + user.userId() + "\"")
					.contains("\"topic\":\"")
					.contains("\"event_type\":\"")
					.contains("broker unreachable")));
	}

	/**
	 * FR-012 for a binder that blocks its caller (as a Kafka producer with a full buffer
	 * does, for up to {@code max.block.ms}): the publishing thread waits in the binder,
	 * the requests do not.
	 */
	@Test
	void noRouteWaitsForABinderThatHoldsItsSends() {
		UserSession user = new UserSession(this.http);
		double failedBefore = failed();
		CountDownLatch release = new CountDownLatch(1);
		BrokenBinderConfiguration.hold = release;
		try {
			String id = user.createTask("Held");
			await().untilAsserted(() -> assertThat(BrokenBinderConfiguration.held).hasValue(1));
			user.patch()
				.uri("/api/tasks/{id}", id)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"title\":\"Still held\"}")
				.exchange()
				.expectStatus()
				.isOk();
			user.post().uri("/api/tasks/{id}/complete", id).exchange().expectStatus().isOk();
			user.delete().uri("/api/tasks/{id}", id).exchange().expectStatus().isNoContent();
			// every change was answered while the first send is still held in the binder
			assertThat(BrokenBinderConfiguration.held).hasValue(1);
		}
		finally {
			BrokenBinderConfiguration.hold = null;
			release.countDown();
		}
		// create 2 + patch 2 + complete 2 + delete 2 events, failed once released
		await().untilAsserted(() -> assertThat(failed() - failedBefore).isEqualTo(8));
	}

	@Test
	void aChangeWhoseEventsCannotEvenBePlannedIsLoggedAndCountedButNotThrown(CapturedOutput output) {
		Instant now = Instant.now();
		Task task = new Task(UUID.randomUUID(), "carol", "Inconsistent", null, false, null, 2, now, now);
		// an update without the row before it: nobody can say which fields changed
		TaskChange inconsistent = new TaskChange(TaskChange.Kind.UPDATED, null, task, now);
		double failedBefore = failed();

		assertThatNoException().isThrownBy(() -> this.publisher
			.changing(List.of(inconsistent), Context.of(CorrelationId.CONTEXT_KEY, "unplannable-1"))
			.block()
			.ended(TransactionEnd.COMMITTED));

		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(failed() - failedBefore).isEqualTo(1));
		assertThat(
				output.getOut().lines().filter((line) -> line.contains("Events of a task change could not be planned")))
			.singleElement()
			.satisfies((line) -> assertThat(line).contains("\"level\":\"ERROR\"")
				.contains("\"task_id\":\"" + task.id() + "\"")
				.contains("\"user_id\":\"carol\"")
				.contains("\"correlation_id\":\"unplannable-1\""));
	}

	private double failed() {
		return this.meters.find(TaskEventPublisher.METRIC)
			.tag("outcome", "failed")
			.counters()
			.stream()
			.mapToDouble((counter) -> counter.count())
			.sum();
	}

	/**
	 * Made the default binder, so it serves every binding; it fails every send, after
	 * holding it while a test sets {@link #hold}.
	 */
	@TestConfiguration(proxyBeanMethods = false)
	static class BrokenBinderConfiguration {

		static volatile @Nullable CountDownLatch hold;

		/** Sends that were held, released or not. */
		static final AtomicInteger held = new AtomicInteger();

		@Bean
		Binder<MessageChannel, ConsumerProperties, ProducerProperties> brokenBinder() {
			return new Binder<>() {

				@Override
				public Binding<MessageChannel> bindConsumer(String name, String group, MessageChannel target,
						ConsumerProperties properties) {
					// nothing ever arrives
					return new DefaultBinding<>(name, group, target, null);
				}

				@Override
				public Binding<MessageChannel> bindProducer(String name, MessageChannel output,
						ProducerProperties properties) {
					((SubscribableChannel) output).subscribe((message) -> {
						CountDownLatch holding = hold;
						if (holding != null) {
							held.incrementAndGet();
							awaitUninterruptibly(holding);
						}
						throw new MessageDeliveryException(message, "broker unreachable");
					});
					return new DefaultBinding<>(name, null, output, null);
				}

			};
		}

		private static void awaitUninterruptibly(CountDownLatch latch) {
			try {
				latch.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
