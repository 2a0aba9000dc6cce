package com.pakaura.api.events;

import java.time.Instant;
import java.util.UUID;

/**
 * One event to publish, before it has an envelope.
 *
 * @param type the CloudEvents {@code type}, such as {@code task.created}
 * @param sequence the task's version after the change, which orders the task's events
 * @param time when the change happened
 * @param data the payload, one of {@link TaskEventPayloads}' records
 */
record TaskEvent(EventBinding topic, String type, UUID taskId, String userId, long sequence, Instant time,
		Object data) {

}
