package com.pakaura.api.task;

import java.util.UUID;

/**
 * No task with this id belongs to the caller. Deliberately the same whether the task does
 * not exist or belongs to someone else.
 */
public class TaskNotFoundException extends RuntimeException {

	private final UUID taskId;

	public TaskNotFoundException(UUID taskId) {
		super("Task " + taskId + " not found");
		this.taskId = taskId;
	}

	public UUID taskId() {
		return this.taskId;
	}

}
