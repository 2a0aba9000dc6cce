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
		assertThat(DaprSidecarClient.errorOf(400, "error reading request body: stream too large").kind())
			.isEqualTo(PublishOutcome.Kind.TOO_LARGE);
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
	}

}
