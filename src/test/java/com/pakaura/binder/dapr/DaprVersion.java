package com.pakaura.binder.dapr;

/**
 * The daprd minors the binder supports, as {@link FakeDaprSidecar} answers for each where
 * they differ (dapr/dapr at the release tags named).
 */
public enum DaprVersion {

	/** v1.16.19: bulk publish on {@code /v1.0-alpha1/publish/bulk} only. */
	V1_16("1.16.19"),

	/** v1.17.13: {@code /v1.0/publish/bulk} stable beside the alpha route. */
	V1_17("1.17.13"),

	/** v1.18.3: as 1.17 for publishing. */
	V1_18("1.18.3");

	private final String runtimeVersion;

	DaprVersion(String runtimeVersion) {
		this.runtimeVersion = runtimeVersion;
	}

	/** What {@code GET /v1.0/metadata} says in {@code runtimeVersion}. */
	public String runtimeVersion() {
		return this.runtimeVersion;
	}

	/**
	 * Whether {@code /v1.0/publish/bulk/{pubsub}/{topic}} is the bulk route (dapr v1.17.0
	 * pkg/api/http/http.go) rather than a single publish to the pubsub {@code bulk}.
	 */
	public boolean stableBulkRoute() {
		return this != V1_16;
	}

}
