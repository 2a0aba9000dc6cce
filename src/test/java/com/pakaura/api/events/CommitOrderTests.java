package com.pakaura.api.events;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.pakaura.api.task.TaskChangeListener.TransactionEnd;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A new task's place, taken before its row exists, holds the task's later changes until
 * its statement has ended, and leaves with what was committed, not what was reserved.
 */
class CommitOrderTests {

	private final CommitOrder<String> order = new CommitOrder<>();

	private final UUID task = UUID.randomUUID();

	private final List<String> released = new ArrayList<>();

	private final List<String> untold = new ArrayList<>();

	@Test
	void aCreationsPlaceHoldsTheTasksLaterChangesUntilItCommitsAndLeavesAsCommitted() {
		CommitOrder.Place<String> creation = reserve("created as asked").get(0);
		List<CommitOrder.Place<String>> edit = reserve("updated");

		this.order.ended(edit, TransactionEnd.COMMITTED, this.released::add, this.untold::add);
		assertThat(this.released).as("the edit waits for its task's creation").isEmpty();

		this.order.committed(creation, "created as written", this.released::add, this.untold::add);
		assertThat(this.released).containsExactly("created as written", "updated");
		assertThat(this.order.waiting()).isZero();
	}

	@Test
	void aCreationWhoseOutcomeIsUnknownIsToldAsReservedAndTheTasksNextChangeGoes() {
		CommitOrder.Place<String> creation = reserve("created as asked").get(0);
		List<CommitOrder.Place<String>> edit = reserve("updated");

		this.order.ended(List.of(creation), TransactionEnd.UNKNOWN, this.released::add, this.untold::add);
		this.order.ended(edit, TransactionEnd.COMMITTED, this.released::add, this.untold::add);

		assertThat(this.untold).containsExactly("created as asked");
		assertThat(this.released).containsExactly("updated");
	}

	private List<CommitOrder.Place<String>> reserve(String change) {
		return this.order.reserve(List.of(change), (ignored) -> this.task);
	}

}
