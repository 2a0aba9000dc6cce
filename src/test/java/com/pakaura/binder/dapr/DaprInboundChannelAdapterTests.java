package com.pakaura.binder.dapr;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.cloud.stream.binder.HeaderMode;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.integration.channel.DirectChannel;
import org.springframework.integration.channel.PublishSubscribeChannel;
import org.springframework.messaging.Message;
import org.springframework.messaging.converter.MessageConversionException;
import org.springframework.messaging.support.ErrorMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Unit tests of the consumer side's answers to daprd: what becomes SUCCESS, RETRY and
 * DROP, and what the binding receives.
 */
class DaprInboundChannelAdapterTests {

	private static final byte[] EVENT = ("{\"specversion\":\"1.0\",\"id\":\"e-7\",\"source\":\"pakaura/api\",\"type\":\"sync.task\","
			+ "\"subject\":\"t-1\",\"datacontenttype\":\"application/json\",\"sequence\":\"00000000000000000003\","
			+ "\"data\":{\"task_id\":\"t-1\",\"user_id\":\"u-1\"},\"topic\":\"task-updates\",\"pubsubname\":\"pubsub-kafka\"}")
		.getBytes(StandardCharsets.UTF_8);

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final DirectChannel binding = new DirectChannel();

	private final PublishSubscribeChannel errors = new PublishSubscribeChannel();

	private final DaprInboundChannelAdapter adapter = adapter(3, false, null);

	@Test
	void aCloudEventBecomesItsDataWithItsAttributesAndDaprsMetadataAsHeaders() {
		List<Message<?>> received = new CopyOnWriteArrayList<>();
		this.binding.subscribe(received::add);

		assertThat(this.adapter.deliver(Map.of("__key", "t-1", "__partition", "0", "__offset", "42", "content-type",
				"application/cloudevents+json"), EVENT))
			.isEqualTo(DeliveryStatus.SUCCESS);

		assertThat(received).singleElement().satisfies((message) -> {
			assertThat(new String((byte[]) message.getPayload(), StandardCharsets.UTF_8))
				.isEqualTo("{\"task_id\":\"t-1\",\"user_id\":\"u-1\"}");
			assertThat(message.getHeaders()).containsEntry("ce-id", "e-7")
				.containsEntry("ce-type", "sync.task")
				.containsEntry("ce-source", "pakaura/api")
				.containsEntry("ce-subject", "t-1")
				.containsEntry("ce-sequence", "00000000000000000003")
				.containsEntry("__key", "t-1")
				.containsEntry("__offset", "42")
				.containsEntry("contentType", "application/json")
				.doesNotContainKey("content-type");
		});
		assertThat(count("success")).isEqualTo(1);
	}

	@Test
	void withHeaderModeNoneOnlyTheEventItselfMakesHeaders() {
		DaprInboundChannelAdapter adapter = adapter(3, false, HeaderMode.none);
		List<Message<?>> received = new CopyOnWriteArrayList<>();
		this.binding.subscribe(received::add);

		assertThat(adapter.deliver(Map.of("__key", "t-1", "__offset", "42", "traceparent",
				"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), EVENT))
			.isEqualTo(DeliveryStatus.SUCCESS);

		assertThat(received).singleElement().satisfies((message) -> {
			assertThat(message.getHeaders()).containsEntry("ce-id", "e-7")
				.containsEntry("ce-sequence", "00000000000000000003")
				.containsEntry("contentType", "application/json")
				.doesNotContainKeys("__key", "__offset", "traceparent");
		});
	}

	@Test
	void embeddedHeadersAreRefusedWhenTheBindingIsCreated() {
		assertThatIllegalArgumentException().isThrownBy(() -> DaprHeaderMapper.of(HeaderMode.embeddedHeaders, "in-0"))
			.withMessageContaining("Binding 'in-0'")
			.withMessageContaining("set header-mode to headers or none");
	}

	@Test
	void aHandlerThatKeepsFailingIsTriedMaxAttemptsTimesThenAnsweredRetryAndTheErrorChannelHearsOfIt() {
		AtomicInteger attempts = handlerThatAlwaysFails();
		List<Message<?>> errors = new CopyOnWriteArrayList<>();
		this.errors.subscribe(errors::add);
		assertThat(this.adapter.deliver(Map.of(), EVENT)).isEqualTo(DeliveryStatus.RETRY);
		assertThat(attempts).hasValue(3);
		assertThat(count("retry")).isEqualTo(1);
		assertThat(errors).singleElement().isInstanceOf(ErrorMessage.class);
	}

	@Test
	void aHandlerThatRecoversWithinItsAttemptsIsASuccess() {
		AtomicInteger attempts = new AtomicInteger();
		this.binding.subscribe((message) -> {
			if (attempts.incrementAndGet() < 3) {
				throw new IllegalStateException("flaky");
			}
		});
		assertThat(this.adapter.deliver(Map.of(), EVENT)).isEqualTo(DeliveryStatus.SUCCESS);
	}

	@Test
	void whatCanNeverBeProcessedIsDroppedSoItReachesTheDeadLetterTopic() {
		this.binding.subscribe((message) -> {
			throw new MessageConversionException(message, "not the type the function takes");
		});
		assertThat(this.adapter.deliver(Map.of(), EVENT)).isEqualTo(DeliveryStatus.DROP);
		assertThat(this.adapter.deliver(Map.of(), "not json".getBytes(StandardCharsets.UTF_8)))
			.isEqualTo(DeliveryStatus.DROP);
		assertThat(this.adapter.deliver(Map.of(), "{\"id\":\"no specversion\"}".getBytes(StandardCharsets.UTF_8)))
			.isEqualTo(DeliveryStatus.DROP);
		assertThat(count("drop")).isEqualTo(3);
	}

	@Test
	void aStoppedBindingTakesNothingAndAnswersRetryUntilStartedAgain() {
		List<Message<?>> received = new CopyOnWriteArrayList<>();
		this.binding.subscribe(received::add);
		this.adapter.stop();
		assertThat(this.adapter.deliver(Map.of(), EVENT)).isEqualTo(DeliveryStatus.RETRY);
		assertThat(received).isEmpty();
		assertThat(count("stopped")).isEqualTo(1);

		this.adapter.start();
		assertThat(this.adapter.deliver(Map.of(), EVENT)).isEqualTo(DeliveryStatus.SUCCESS);
		assertThat(received).hasSize(1);
	}

	@Test
	void aPausedBindingTakesNothingAndAnswersRetryUntilResumed() {
		List<Message<?>> received = new CopyOnWriteArrayList<>();
		this.binding.subscribe(received::add);
		this.adapter.pause();
		assertThat(this.adapter.deliver(Map.of(), EVENT)).isEqualTo(DeliveryStatus.RETRY);
		assertThat(received).isEmpty();

		this.adapter.resume();
		assertThat(this.adapter.deliver(Map.of(), EVENT)).isEqualTo(DeliveryStatus.SUCCESS);
		assertThat(received).hasSize(1);
	}

	@Test
	void withDropWhenExhaustedAHandlerThatKeepsFailingIsAnsweredDropAndCounted() {
		DaprInboundChannelAdapter dropping = adapter(2, true, null);
		AtomicInteger attempts = handlerThatAlwaysFails();
		List<Message<?>> errors = new CopyOnWriteArrayList<>();
		this.errors.subscribe(errors::add);
		assertThat(dropping.deliver(Map.of(), EVENT)).isEqualTo(DeliveryStatus.DROP);
		assertThat(attempts).hasValue(2);
		assertThat(count("drop")).isEqualTo(1);
		assertThat(count("retry")).isZero();
		assertThat(errors).singleElement().isInstanceOf(ErrorMessage.class);
	}

	/** Subscribes a handler that fails every time; returns its count of attempts. */
	private AtomicInteger handlerThatAlwaysFails() {
		AtomicInteger attempts = new AtomicInteger();
		this.binding.subscribe((message) -> {
			attempts.incrementAndGet();
			throw new IllegalStateException("database down");
		});
		return attempts;
	}

	private DaprInboundChannelAdapter adapter(int maxAttempts, boolean dropWhenExhausted,
			@Nullable HeaderMode headerMode) {
		RetryTemplate retry = new RetryTemplate(
				RetryPolicy.builder().maxRetries(maxAttempts - 1).delay(Duration.ofMillis(1)).build());
		DaprInboundChannelAdapter adapter = new DaprInboundChannelAdapter("updates-in-0", "task-updates", retry,
				this.meters, dropWhenExhausted, DaprHeaderMapper.of(headerMode, "updates-in-0"));
		adapter.setOutputChannel(this.binding);
		adapter.failuresTo(this.errors);
		adapter.setBeanFactory(new DefaultListableBeanFactory());
		adapter.afterPropertiesSet();
		adapter.start();
		return adapter;
	}

	private double count(String outcome) {
		return this.meters.get(DaprInboundChannelAdapter.COUNTER).tag("outcome", outcome).counter().count();
	}

}
