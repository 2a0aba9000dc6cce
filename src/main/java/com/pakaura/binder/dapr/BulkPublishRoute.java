package com.pakaura.binder.dapr;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Which of daprd's bulk publish routes the binder sends to, decided once at start from
 * the sidecar's {@code runtimeVersion} ({@code GET /v1.0/metadata}).
 * <ul>
 * <li>1.17 and later serve {@code POST /v1.0/publish/bulk/{pubsub}/{topic}} (dapr v1.17.0
 * {@code pkg/api/http/http.go}, "Bulk Pubsub API is now Stable" in
 * {@code docs/release_notes/v1.17.0.md}), and still the alpha route.</li>
 * <li>Before 1.17 only {@code /v1.0-alpha1/publish/bulk/...} exists. There the stable
 * path is not merely missing: chi routes it to the single publish route with the pubsub
 * named {@code bulk} (v1.16.19 {@code http.go}, route {@code publish/{pubsubname}/*}),
 * which answers 404 {@code ERR_PUBSUB_NOT_FOUND} "pubsub bulk is not found", or, were a
 * component named {@code bulk}, publishes the whole array as one event. So the stable
 * route is used only on a sidecar that says it is 1.17 or later.</li>
 * <li>A version that is not {@code major.minor...} (a development build says
 * {@code edge}) gets the alpha route, which every sidecar from 1.10 to 1.18 serves.</li>
 * </ul>
 */
enum BulkPublishRoute {

	/** {@code /v1.0/publish/bulk/}: daprd 1.17 and later. */
	STABLE("/v1.0/publish/bulk/"),

	/** {@code /v1.0-alpha1/publish/bulk/}: daprd 1.10 to 1.18 (deprecated from 1.17). */
	ALPHA("/v1.0-alpha1/publish/bulk/"),

	/** No bulk route: one request per event ({@code /v1.0/publish/}). */
	NONE("/v1.0/publish/");

	private static final Pattern MAJOR_MINOR = Pattern.compile("^v?(\\d+)\\.(\\d+)");

	private final String pathPrefix;

	BulkPublishRoute(String pathPrefix) {
		this.pathPrefix = pathPrefix;
	}

	/** The path up to the pubsub name, for example {@code /v1.0/publish/bulk/}. */
	String pathPrefix() {
		return this.pathPrefix;
	}

	/** The route for a sidecar of this runtime version. */
	static BulkPublishRoute forRuntimeVersion(@Nullable String runtimeVersion) {
		if (runtimeVersion == null) {
			return ALPHA;
		}
		Matcher version = MAJOR_MINOR.matcher(runtimeVersion.strip());
		if (!version.find()) {
			return ALPHA;
		}
		int major = Integer.parseInt(version.group(1));
		int minor = Integer.parseInt(version.group(2));
		return (major > 1 || (major == 1 && minor >= 17)) ? STABLE : ALPHA;
	}

	/**
	 * The route to try after this one answered as a route that is not there: stable, then
	 * alpha, then single publishes.
	 */
	BulkPublishRoute fallback() {
		return (this == STABLE) ? ALPHA : NONE;
	}

}
