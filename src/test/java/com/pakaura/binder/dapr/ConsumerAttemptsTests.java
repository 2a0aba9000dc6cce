package com.pakaura.binder.dapr;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.cloud.stream.binder.AbstractBinder;
import org.springframework.cloud.stream.binder.Binding;
import org.springframework.cloud.stream.binder.ConsumerProperties;
import org.springframework.cloud.stream.binder.ProducerProperties;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A consumer binding's {@code max-attempts} is how often the dapr binder runs the handler
 * before it answers daprd: the retry template is Spring Cloud Stream's own
 * ({@code AbstractBinder.buildRetryTemplate}), which made one attempt too many in 5.0.0
 * and 5.0.1 (fixed in 5.0.2). This pins the dependency's behaviour that the binder's
 * answers to daprd rely on.
 */
class ConsumerAttemptsTests {

	@Test
	void maxAttemptsIsTheNumberOfTimesTheHandlerRuns() {
		for (int maxAttempts : new int[] { 1, 3 }) {
			ConsumerProperties properties = new ConsumerProperties();
			properties.setMaxAttempts(maxAttempts);
			properties.setBackOffInitialInterval(1);
			properties.setBackOffMaxInterval(1);
			RetryTemplate retry = new RetryTemplates().of(properties);
			AtomicInteger attempts = new AtomicInteger();
			assertThatExceptionOfType(RetryException.class).isThrownBy(() -> retry.execute(() -> {
				attempts.incrementAndGet();
				throw new IllegalStateException("the handler fails");
			}));
			assertThat(attempts).as("attempts with max-attempts %d", maxAttempts).hasValue(maxAttempts);
		}
	}

	/** Only to reach the binder's protected factory of retry templates. */
	private static final class RetryTemplates extends AbstractBinder<Object, ConsumerProperties, ProducerProperties> {

		RetryTemplate of(ConsumerProperties properties) {
			return buildRetryTemplate(properties);
		}

		@Override
		protected Binding<Object> doBindConsumer(String name, String group, Object inputTarget,
				ConsumerProperties properties) {
			throw new UnsupportedOperationException();
		}

		@Override
		protected Binding<Object> doBindProducer(String name, Object outboundBindTarget,
				ProducerProperties properties) {
			throw new UnsupportedOperationException();
		}

	}

}
