package com.pakaura.api.events;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.pakaura.api.stream.TaskStream;
import com.pakaura.api.support.ServiceTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The event contract on a real broker binder: Spring Cloud Stream's Kafka binder (test
 * scope only) against an in-JVM KRaft broker, read back with a plain Kafka consumer.
 * Nothing in the application changes but the binder: the abstraction holds.
 */
@ServiceTest
class TaskEventsOnKafkaBinderTest extends TaskEventsContract {

	private static final List<String> TOPICS = List.of("task-events", "task-updates", "reminders");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final EmbeddedKafkaKraftBroker BROKER = startBroker();

	private static final KafkaConsumer<byte[], byte[]> CONSUMER = consumer();

	/** Several partitions per topic, so that keeping a task's order is the key's work. */
	private static final int PARTITIONS = 4;

	private final Map<String, List<Arrived>> received = new HashMap<>();

	/** Per topic and record key, the partitions its records were in. */
	private final Map<String, Set<Integer>> partitionsOfKey = new HashMap<>();

	@DynamicPropertySource
	static void kafka(DynamicPropertyRegistry properties) {
		properties.add("spring.cloud.stream.default-binder", () -> "kafka");
		properties.add("spring.cloud.stream.kafka.binder.brokers", BROKER::getBrokersAsString);
		// the record key is the task id, as Dapr's metadata.partitionKey makes it
		properties.add("spring.cloud.stream.kafka.default.producer.message-key-expression",
				() -> "headers['partitionKey'].getBytes()");
	}

	@AfterAll
	static void stopBroker() {
		CONSUMER.close();
		BROKER.destroy();
	}

	@Test
	void theLiveStreamTakesTaskUpdatesFromTheBrokerThroughTheKafkaBindersConsumerToo(@Autowired TaskStream stream) {
		List<TaskStream.StreamEvent> seen = new CopyOnWriteArrayList<>();
		Disposable watching = stream.open(this.user.userId(), null).subscribe(seen::add);
		try {
			String id = create(Map.of("title", "Through Kafka and back"));
			await().until(() -> seen.size() == 1);
			assertThat(seen.get(0).type()).isEqualTo("sync.task");
			assertThat(seen.get(0).data()).contains(id).contains("\"created\"");
		}
		finally {
			watching.dispose();
		}
	}

	@Test
	void eachTaskKeepsOnePartitionAndTheTasksSpreadOverSeveral() {
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			String id = create(Map.of("title", "Spread " + i));
			this.user.post().uri("/api/tasks/{id}/complete", id).exchange().expectStatus().isOk();
			ids.add(id);
		}
		await().untilAsserted(
				() -> assertThat(arrivedAt("task-events").stream().filter((arrived) -> ids.contains(arrived.key())))
					.hasSize(2 * ids.size()));
		Set<Integer> used = new HashSet<>();
		for (String id : ids) {
			assertThat(this.partitionsOfKey.get("task-events " + id)).as("partitions of %s", id).hasSize(1);
			used.addAll(this.partitionsOfKey.get("task-events " + id));
		}
		assertThat(used).as("partitions the tasks' events went to").hasSizeGreaterThan(1);
	}

	@Override
	protected List<Arrived> arrivedAt(String destination) {
		for (ConsumerRecord<byte[], byte[]> record : CONSUMER.poll(Duration.ofMillis(200))) {
			String key = (record.key() != null) ? new String(record.key(), StandardCharsets.UTF_8) : null;
			this.received.computeIfAbsent(record.topic(), (topic) -> new ArrayList<>())
				.add(new Arrived(JSON.readTree(new String(record.value(), StandardCharsets.UTF_8)), key));
			this.partitionsOfKey.computeIfAbsent(record.topic() + " " + key, (k) -> new HashSet<>())
				.add(record.partition());
		}
		return List.copyOf(this.received.getOrDefault(destination, List.of()));
	}

	@Override
	protected void clearArrivals() {
		// earlier tests' records are read and forgotten; each test looks at its own task
		// only
		arrivedAt(TOPICS.get(0));
		this.received.clear();
	}

	private static EmbeddedKafkaKraftBroker startBroker() {
		EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, PARTITIONS, TOPICS.toArray(String[]::new));
		broker.afterPropertiesSet();
		return broker;
	}

	private static KafkaConsumer<byte[], byte[]> consumer() {
		KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
				Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.getBrokersAsString(),
						ConsumerConfig.GROUP_ID_CONFIG, "contract-" + UUID.randomUUID(),
						ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
				new ByteArrayDeserializer(), new ByteArrayDeserializer());
		consumer.subscribe(TOPICS);
		return consumer;
	}

}
