package com.pakaura.api.events;

/**
 * Where task events go. Each name is both the Spring Cloud Stream binding the publisher
 * sends to and, unless {@code spring.cloud.stream.bindings.<name>.destination} says
 * otherwise, the broker topic.
 */
public enum EventBinding {

	/** {@code task.*}: the full lifecycle, for services that act on tasks. */
	TASK_EVENTS("task-events"),

	/**
	 * {@code sync.task}: a light "this task changed" for live views (WebSocket gateway).
	 */
	TASK_UPDATES("task-updates"),

	/** {@code reminder.*}: due dates scheduled, moved and cancelled. */
	REMINDERS("reminders");

	private final String binding;

	EventBinding(String binding) {
		this.binding = binding;
	}

	public String binding() {
		return this.binding;
	}

}
