package com.pakaura.api.support;

import org.springframework.test.web.reactive.server.WebTestClient;

/** What Prometheus reads from the service. */
public final class PrometheusScrape {

	private PrometheusScrape() {
	}

	/** {@code /actuator/prometheus} now, as text. */
	public static String of(WebTestClient http) {
		String scrape = http.mutate()
			// the application's codecs keep bodies to 64 KiB; a scrape with histograms is
			// larger
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(8 * 1024 * 1024))
			.build()
			.get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		return (scrape != null) ? scrape : "";
	}

}
