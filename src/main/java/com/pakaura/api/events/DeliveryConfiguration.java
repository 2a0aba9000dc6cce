package com.pakaura.api.events;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.type.AnnotatedTypeMetadata;

import com.pakaura.api.events.EventsProperties.Delivery;

/**
 * The beans of each delivery mode, chosen once by the mode {@link EventsProperties}
 * binds: every spelling that binds to a mode ({@code outbox}, {@code OUTBOX},
 * {@code fire_and_forget}, none at all) selects that mode's beans, and no spelling can
 * bind to one mode while selecting the other's, or neither's.
 */
@Configuration(proxyBeanMethods = false)
class DeliveryConfiguration {

	/** Events handed to the binder after the commit. */
	@Configuration(proxyBeanMethods = false)
	@Conditional(FireAndForgetDelivery.class)
	@Import({ TaskEventPublisher.class, OutputBindings.class })
	static class FireAndForget {

	}

	/** Events written with the change, sent by the relay until the sidecar takes them. */
	@Configuration(proxyBeanMethods = false)
	@Conditional(OutboxDelivery.class)
	@Import({ OutboxStore.class, OutboxEventWriter.class, OutboxRelay.class, BinderSends.class, OutputBindings.class,
			OutboxEndpoint.class })
	static class Outbox {

		/** Named as the health contributor: {@code /actuator/health/outbox}. */
		@Bean("outbox")
		OutboxHealthIndicator outboxHealthIndicator(OutboxRelay relay) {
			return new OutboxHealthIndicator(relay);
		}

	}

	/**
	 * Whether {@code pakaura.events.delivery}, bound as the application binds it, is the
	 * mode.
	 */
	abstract static class DeliveryIs extends SpringBootCondition {

		private final Delivery mode;

		DeliveryIs(Delivery mode) {
			this.mode = mode;
		}

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			Delivery bound = Binder.get(context.getEnvironment())
				.bindOrCreate("pakaura.events", EventsProperties.class)
				.delivery();
			String message = "pakaura.events.delivery binds to " + bound;
			return (bound == this.mode) ? ConditionOutcome.match(message) : ConditionOutcome.noMatch(message);
		}

	}

	static final class FireAndForgetDelivery extends DeliveryIs {

		FireAndForgetDelivery() {
			super(Delivery.FIRE_AND_FORGET);
		}

	}

	static final class OutboxDelivery extends DeliveryIs {

		OutboxDelivery() {
			super(Delivery.OUTBOX);
		}

	}

}
