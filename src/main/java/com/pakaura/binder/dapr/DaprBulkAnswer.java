package com.pakaura.binder.dapr;

import java.util.Collections;
import java.util.List;

/**
 * How daprd answered one publish request, for each entry it carried (a single publish is
 * a request of one entry).
 *
 * @param kind whether the entries have outcomes, or the request says something about the
 * route or the entries as a whole
 * @param outcomes one per entry, in request order, when {@code kind} is
 * {@link Kind#ANSWERED}; empty otherwise
 * @param reason what the sidecar said, for the log line of a fallback
 */
record DaprBulkAnswer(Kind kind, List<PublishOutcome> outcomes, String reason) {

	enum Kind {

		/** Each entry has its outcome. */
		ANSWERED,

		/**
		 * The route is not there: nothing was published. The entries go again on the next
		 * route ({@link BulkPublishRoute#fallback()}), uncounted.
		 */
		ROUTE_MISSING,

		/**
		 * daprd refused the whole request for what one of its events is (not JSON, not a
		 * CloudEvent, larger than its body limit) before publishing any: the entries go
		 * again one request each, uncounted, so each gets its own answer and no event is
		 * refused for its neighbour.
		 */
		SEND_ALONE

	}

	static DaprBulkAnswer answered(List<PublishOutcome> outcomes) {
		return new DaprBulkAnswer(Kind.ANSWERED, outcomes, "");
	}

	static DaprBulkAnswer all(PublishOutcome outcome, int entries) {
		return answered(Collections.nCopies(entries, outcome));
	}

	static DaprBulkAnswer routeMissing(String reason) {
		return new DaprBulkAnswer(Kind.ROUTE_MISSING, List.of(), reason);
	}

	static DaprBulkAnswer sendAlone(String reason) {
		return new DaprBulkAnswer(Kind.SEND_ALONE, List.of(), reason);
	}

}
