package com.pakaura.api.events;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.cloud.stream.config.BinderProperties;
import org.springframework.cloud.stream.config.BindingServiceProperties;
import org.springframework.core.env.Environment;
import org.springframework.messaging.support.MessageBuilder;

import com.pakaura.binder.dapr.DaprPublishResult;

/**
 * Sends one event through its binding and says how it ended, in the relay's terms
 * ({@link SendResult}). The one class of the service that knows the dapr binder's API:
 * where a binding's binder confirms (the {@code dapr} binder with the producer property
 * {@code use-confirm-header} on), each message asks for its outcome and the binder's
 * verdict is read as it is; any other binding took the message synchronously, and that is
 * all it will say.
 */
final class BinderSends {

	private static final String DAPR = "dapr";

	private final OutputBindings outputs;

	private final BindingServiceProperties bindings;

	private final Binder properties;

	private final Map<String, Boolean> confirming = new ConcurrentHashMap<>();

	BinderSends(OutputBindings outputs, BindingServiceProperties bindings, Environment environment) {
		this.outputs = outputs;
		this.bindings = bindings;
		this.properties = Binder.get(environment);
	}

	/**
	 * Hands the message to the binding on the caller's thread (so the binder sees the
	 * caller's observation); the result completes when the binder has the final outcome,
	 * on the binder's thread. A future rather than a {@code Mono}: the relay waits for a
	 * change's sends together, under one timer.
	 */
	CompletableFuture<SendResult> send(String binding, MessageBuilder<byte[]> message) {
		CompletableFuture<DaprPublishResult> confirmation = new CompletableFuture<>();
		boolean confirms = confirms(binding);
		if (confirms) {
			message.setHeader(DaprPublishResult.CONFIRMATION_HEADER, confirmation);
		}
		try {
			if (!this.outputs.send(binding, message.build())) {
				return CompletableFuture
					.completedFuture(SendResult.notAccepted("the binding did not accept the message"));
			}
		}
		catch (RuntimeException ex) {
			return CompletableFuture.completedFuture(SendResult.notAccepted(ex.toString()));
		}
		if (!confirms) {
			return CompletableFuture
				.completedFuture(new SendResult(SendResult.Verdict.PUBLISHED, "success", "success"));
		}
		return confirmation.thenApply(BinderSends::resultOf);
	}

	private static SendResult resultOf(DaprPublishResult result) {
		SendResult.Verdict verdict = switch (result.verdict()) {
			case PUBLISHED -> SendResult.Verdict.PUBLISHED;
			case RETRYABLE -> SendResult.Verdict.RETRYABLE;
			case PERMANENT -> SendResult.Verdict.PERMANENT;
			case DISABLED -> SendResult.Verdict.DISABLED;
		};
		String description = result.outcome() + ((result.status() != 0) ? " " + result.status() : "")
				+ ((result.errorCode() != null) ? " " + result.errorCode() : "")
				+ ((result.message() != null) ? ": " + result.message() : "");
		return new SendResult(verdict, result.outcome(), description);
	}

	/**
	 * Whether the binding's binder is a {@code dapr} binder that completes confirmation
	 * headers for it.
	 */
	boolean confirms(String binding) {
		return this.confirming.computeIfAbsent(binding,
				(name) -> DAPR.equals(binderTypeOf(name)) && useConfirmHeader(name));
	}

	private String binderTypeOf(String binding) {
		String binder = this.bindings.getBinder(binding);
		String name = (binder != null) ? binder : this.bindings.getDefaultBinder();
		if (name == null) {
			return "";
		}
		BinderProperties configured = this.bindings.getBinders().get(name);
		return (configured != null && configured.getType() != null) ? configured.getType() : name;
	}

	private boolean useConfirmHeader(String binding) {
		String property = "producer.use-confirm-header";
		return this.properties.bind("spring.cloud.stream.dapr.bindings[" + binding + "]." + property, Boolean.class)
			.orElseGet(() -> this.properties.bind("spring.cloud.stream.dapr.default." + property, Boolean.class)
				.orElse(false));
	}

}
