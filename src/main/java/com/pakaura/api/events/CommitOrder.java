package com.pakaura.api.events;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import com.pakaura.api.task.TaskChangeListener.TransactionEnd;

/**
 * Puts each task's changes back in commit order once their transactions have ended.
 *
 * <p>
 * A change takes its place in its task's line while its transaction still holds the
 * task's row lock, so the line is in commit order. Transactions then end in any order
 * (the next transaction on a task may commit and be told so before the previous one's
 * after-commit callback has run), so a change leaves its line only once every change
 * before it has left: committed changes are released, rolled-back ones vanish, and ones
 * whose commit outcome is unknown are handed to the caller to be reported. Releases
 * happen under the lock, so two threads ending transactions of one task cannot release
 * its changes out of order.
 *
 * @param <T> what travels with a change
 */
final class CommitOrder<T> {

	private final Object lock = new Object();

	private final Map<UUID, ArrayDeque<Place<T>>> lines = new HashMap<>();

	/** Takes a place at the end of each change's task line, in the order given. */
	List<Place<T>> reserve(List<T> changes, Function<T, UUID> taskOf) {
		List<Place<T>> places = new ArrayList<>(changes.size());
		synchronized (this.lock) {
			for (T change : changes) {
				Place<T> place = new Place<>(taskOf.apply(change), change);
				this.lines.computeIfAbsent(place.taskId, (id) -> new ArrayDeque<>()).add(place);
				places.add(place);
			}
		}
		return places;
	}

	/**
	 * Records how the places' transaction ended and lets every change that is now at the
	 * head of its line leave it.
	 * @param release called, under the lock and in each task's order, for a committed
	 * change
	 * @param untold called, under the lock, for a change whose commit outcome is unknown
	 */
	void ended(List<Place<T>> places, TransactionEnd end, Consumer<T> release, Consumer<T> untold) {
		synchronized (this.lock) {
			endAll(places, end, release, untold);
		}
	}

	/**
	 * As {@link #ended} for a committed place, whose change is now what was committed
	 * rather than what was reserved (a new task reserves its place before its row, and
	 * its times, exist).
	 */
	void committed(Place<T> place, T change, Consumer<T> release, Consumer<T> untold) {
		synchronized (this.lock) {
			place.change = change;
			endAll(List.of(place), TransactionEnd.COMMITTED, release, untold);
		}
	}

	/** Runs under the lock. */
	private void endAll(List<Place<T>> places, TransactionEnd end, Consumer<T> release, Consumer<T> untold) {
		Set<UUID> tasks = new LinkedHashSet<>();
		for (Place<T> place : places) {
			place.end = end;
			tasks.add(place.taskId);
		}
		for (UUID task : tasks) {
			leave(task, release, untold);
		}
	}

	/**
	 * How many changes wait for an earlier change of their task, or for their own
	 * transaction.
	 */
	int waiting() {
		synchronized (this.lock) {
			return this.lines.values().stream().mapToInt(ArrayDeque::size).sum();
		}
	}

	private void leave(UUID task, Consumer<T> release, Consumer<T> untold) {
		ArrayDeque<Place<T>> line = this.lines.get(task);
		while (line != null && !line.isEmpty()) {
			Place<T> place = line.peek();
			TransactionEnd end = place.end;
			if (end == null) {
				// its transaction runs still: it and everything behind it wait
				break;
			}
			line.poll();
			switch (end) {
				case COMMITTED -> release.accept(place.change);
				case UNKNOWN -> untold.accept(place.change);
				case ROLLED_BACK -> {
				}
			}
		}
		if (line != null && line.isEmpty()) {
			this.lines.remove(task);
		}
	}

	/** One change's place in its task's line. */
	static final class Place<T> {

		private final UUID taskId;

		/** Guarded by the lock. */
		private T change;

		/** Guarded by the lock; {@code null} while the transaction runs. */
		private @Nullable TransactionEnd end;

		private Place(UUID taskId, T change) {
			this.taskId = taskId;
			this.change = change;
		}

	}

}
