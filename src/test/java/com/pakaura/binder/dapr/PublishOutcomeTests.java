package com.pakaura.binder.dapr;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Unit tests of how the binder reads the sidecar's answers and which of them it retries.
 */
class PublishOutcomeTests {

	@Test
	void daprdsJsonErrorBodyIsReadForItsCodeAndMessage() {
		PublishOutcome outcome = DaprSidecarClient.errorOf(404,
				"{\"errorCode\":\"ERR_PUBSUB_NOT_FOUND\",\"message\":\"pubsub p is not found\",\"details\":[]}");
		assertThat(outcome.kind()).isEqualTo(PublishOutcome.Kind.HTTP_ERROR);
		assertThat(outcome.errorCode()).isEqualTo("ERR_PUBSUB_NOT_FOUND");
		assertThat(outcome.message()).isEqualTo("pubsub p is not found");
		assertThat(outcome.transientFailure()).isFalse();
	}

	@Test
	void aPlainTextAnswerIsKeptAsTheMessage() {
		PublishOutcome outcome = DaprSidecarClient.errorOf(401, "invalid api token\n");
		assertThat(outcome.errorCode()).isNull();
		assertThat(outcome.message()).isEqualTo("invalid api token");
	}

	@Test
	void brokerFailuresAreRetriedButNotTheOnesNoRetryCanChange() {
		assertThat(DaprSidecarClient.errorOf(500,
				"{\"errorCode\":\"ERR_PUBSUB_PUBLISH_MESSAGE\",\"message\":\"kafka: client has run out of available brokers\"}")
			.transientFailure()).isTrue();
		assertThat(DaprSidecarClient.errorOf(500, "{\"errorCode\":\"ERR_PUBSUB_CLOUD_EVENTS_SER\",\"message\":\"x\"}")
			.transientFailure()).isFalse();
		PublishOutcome tooLarge = DaprSidecarClient.errorOf(500,
				"{\"errorCode\":\"ERR_PUBSUB_PUBLISH_MESSAGE\",\"message\":\"error when publishing: stream too large\"}");
		assertThat(tooLarge.kind()).isEqualTo(PublishOutcome.Kind.TOO_LARGE);
		assertThat(tooLarge.transientFailure()).isFalse();
		// the broker's own limit (message.max.bytes), as Sarama reports it
		assertThat(DaprSidecarClient.errorOf(500, "{\"errorCode\":\"ERR_PUBSUB_PUBLISH_MESSAGE\",\"message\":"
				+ "\"error when publishing to topic t in pubsub p: kafka server: Message was too large, server rejected"
				+ " it to avoid allocation error\"}")
			.kind()).isEqualTo(PublishOutcome.Kind.TOO_LARGE);
	}

	@Test
	void aBulkAnswerNamesEachFailedEntryAndPublishedTheOthers() {
		DaprBulkAnswer answer = DaprSidecarClient.bulkAnswerOf(500,
				"{\"failedEntries\":[{\"entryId\":\"1\",\"error\":\"kafka: client has run out of available brokers\"},"
						+ "{\"entryId\":\"2\",\"error\":\"kafka server: Message was too large, server rejected it\"}],"
						+ "\"errorCode\":\"ERR_PUBSUB_PUBLISH_MESSAGE\"}",
				BulkPublishRoute.STABLE, 3);
		assertThat(answer.kind()).isEqualTo(DaprBulkAnswer.Kind.ANSWERED);
		assertThat(answer.outcomes()).extracting(PublishOutcome::kind)
			.containsExactly(PublishOutcome.Kind.SUCCESS, PublishOutcome.Kind.HTTP_ERROR,
					PublishOutcome.Kind.TOO_LARGE);
		assertThat(answer.outcomes().get(1).transientFailure()).isTrue();
		// an answer naming an entry the request did not have says nothing of any
		assertThat(DaprSidecarClient
			.bulkAnswerOf(500, "{\"failedEntries\":[{\"entryId\":\"7\",\"error\":\"x\"}],\"errorCode\":\"E\"}",
					BulkPublishRoute.STABLE, 3)
			.outcomes()).extracting(PublishOutcome::kind).containsOnly(PublishOutcome.Kind.HTTP_ERROR);
	}

	@Test
	void aBulkRouteThatIsNotThereIsAFallbackAndADecodingRefusalSendsEachAlone() {
		assertThat(DaprSidecarClient.bulkAnswerOf(404, "404 page not found\n", BulkPublishRoute.ALPHA, 2).kind())
			.isEqualTo(DaprBulkAnswer.Kind.ROUTE_MISSING);
		// daprd 1.16 takes the stable path for a publish to the pubsub "bulk"
		assertThat(DaprSidecarClient
			.bulkAnswerOf(404, "{\"errorCode\":\"ERR_PUBSUB_NOT_FOUND\",\"message\":\"pubsub bulk is not found\"}",
					BulkPublishRoute.STABLE, 2)
			.kind()).isEqualTo(DaprBulkAnswer.Kind.ROUTE_MISSING);
		// the same answer for the configured pubsub is a refusal like any other
		assertThat(DaprSidecarClient
			.bulkAnswerOf(404,
					"{\"errorCode\":\"ERR_PUBSUB_NOT_FOUND\",\"message\":\"pubsub pubsub-kafka is not found\"}",
					BulkPublishRoute.STABLE, 2)
			.outcomes()).extracting(PublishOutcome::kind).containsOnly(PublishOutcome.Kind.HTTP_ERROR);
		assertThat(DaprSidecarClient
			.bulkAnswerOf(400, "{\"errorCode\":\"ERR_PUBSUB_EVENTS_SER\",\"message\":\"stream too large\"}",
					BulkPublishRoute.ALPHA, 2)
			.kind()).isEqualTo(DaprBulkAnswer.Kind.SEND_ALONE);
	}

	@Test
	void theBulkRouteFollowsTheRuntimeVersion() {
		assertThat(BulkPublishRoute.forRuntimeVersion("1.18.3")).isEqualTo(BulkPublishRoute.STABLE);
		assertThat(BulkPublishRoute.forRuntimeVersion("1.17.0")).isEqualTo(BulkPublishRoute.STABLE);
		assertThat(BulkPublishRoute.forRuntimeVersion("v2.0.1")).isEqualTo(BulkPublishRoute.STABLE);
		assertThat(BulkPublishRoute.forRuntimeVersion("1.16.19")).isEqualTo(BulkPublishRoute.ALPHA);
		assertThat(BulkPublishRoute.forRuntimeVersion("edge")).isEqualTo(BulkPublishRoute.ALPHA);
		assertThat(BulkPublishRoute.forRuntimeVersion(null)).isEqualTo(BulkPublishRoute.ALPHA);
	}

	@Test
	void anUnsentRequestIsRetriedAndAnUnansweredOneNever() {
		assertThat(PublishOutcome.of(PublishOutcome.Kind.UNAVAILABLE, "refused").transientFailure()).isTrue();
		assertThat(PublishOutcome.of(PublishOutcome.Kind.UNKNOWN, "no answer").transientFailure()).isFalse();
	}

	@Test
	void aSenderIsToldWhatIsPermanent() {
		assertThat(DaprPublishResult.of(DaprSidecarClient.errorOf(403, "{\"errorCode\":\"ERR_PUBSUB_FORBIDDEN\"}"))
			.permanent()).isTrue();
		assertThat(DaprPublishResult.of(PublishOutcome.of(PublishOutcome.Kind.TOO_LARGE, "big")).permanent()).isTrue();
		assertThat(DaprPublishResult.of(PublishOutcome.of(PublishOutcome.Kind.UNKNOWN, "?")).permanent()).isFalse();
		assertThat(DaprPublishResult.of(PublishOutcome.success(204)).published()).isTrue();
		// what the binder does not retry, a sender must not either: one classification
		assertThat(DaprPublishResult
			.of(DaprSidecarClient.errorOf(500, "{\"errorCode\":\"ERR_PUBSUB_CLOUD_EVENTS_SER\",\"message\":\"x\"}"))
			.verdict()).isEqualTo(DaprPublishResult.Verdict.PERMANENT);
		assertThat(DaprPublishResult
			.of(DaprSidecarClient.errorOf(500, "{\"errorCode\":\"ERR_PUBSUB_PUBLISH_MESSAGE\",\"message\":\"x\"}"))
			.verdict()).isEqualTo(DaprPublishResult.Verdict.RETRYABLE);
		for (PublishOutcome.Kind kind : PublishOutcome.Kind.values()) {
			PublishOutcome outcome = (kind == PublishOutcome.Kind.HTTP_ERROR) ? DaprSidecarClient.errorOf(503, "")
					: PublishOutcome.of(kind, "x");
			DaprPublishResult.Verdict verdict = DaprPublishResult.of(outcome).verdict();
			assertThat(verdict == DaprPublishResult.Verdict.RETRYABLE).as(kind.name())
				.isEqualTo(outcome.transientFailure() || kind == PublishOutcome.Kind.UNKNOWN
						|| kind == PublishOutcome.Kind.DROPPED);
		}
	}

}
