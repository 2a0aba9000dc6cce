package com.pakaura.api.events;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

import com.pakaura.api.events.EventsProperties.Delivery;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each way of writing {@code pakaura.events.delivery} that binds to a mode selects that
 * mode's beans, and only those: a spelling the properties bind but a string condition
 * does not match ({@code fire_and_forget}) left the service with no event listener.
 */
class DeliveryConfigurationTests {

	private final ApplicationContextRunner context = new ApplicationContextRunner()
		.withUserConfiguration(Properties.class, FireAndForgetBeans.class, OutboxBeans.class);

	@ParameterizedTest(name = "[{index}] ''{0}'' selects {1}")
	@CsvSource({ ", FIRE_AND_FORGET", "fire-and-forget, FIRE_AND_FORGET", "fire_and_forget, FIRE_AND_FORGET",
			"FIRE_AND_FORGET, FIRE_AND_FORGET", "fireAndForget, FIRE_AND_FORGET", "outbox, OUTBOX", "OUTBOX, OUTBOX",
			"Outbox, OUTBOX" })
	void eachSpellingSelectsTheModeItBindsToAndNoOther(String value, Delivery mode) {
		ApplicationContextRunner runner = (value != null)
				? this.context.withPropertyValues("pakaura.events.delivery=" + value) : this.context;
		runner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(EventsProperties.class).delivery()).isEqualTo(mode);
			assertThat(context.containsBean("fireAndForgetBeans")).as("fire-and-forget's beans")
				.isEqualTo(mode == Delivery.FIRE_AND_FORGET);
			assertThat(context.containsBean("outboxBeans")).as("the outbox's beans").isEqualTo(mode == Delivery.OUTBOX);
		});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(EventsProperties.class)
	static class Properties {

	}

	/** Stands for {@link DeliveryConfiguration.FireAndForget}, under its condition. */
	@Configuration("fireAndForgetBeans")
	@Conditional(DeliveryConfiguration.FireAndForgetDelivery.class)
	static class FireAndForgetBeans {

	}

	/** Stands for {@link DeliveryConfiguration.Outbox}, under its condition. */
	@Configuration("outboxBeans")
	@Conditional(DeliveryConfiguration.OutboxDelivery.class)
	static class OutboxBeans {

	}

}
