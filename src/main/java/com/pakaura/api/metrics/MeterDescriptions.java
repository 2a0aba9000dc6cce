package com.pakaura.api.metrics;

import java.util.Map;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;

import org.springframework.stereotype.Component;

/**
 * HELP text for the meters that observations create without one: Spring's HTTP server and
 * client observations, the R2DBC statement observations and the outbox relay's.
 * Prometheus serves such a meter with an empty HELP line, and the dashboard's users then
 * see only its name. A meter that already has a description keeps it.
 */
@Component
public class MeterDescriptions implements MeterFilter {

	/** By the meter's name as registered, before Prometheus adds units and suffixes. */
	private static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
			Map.entry("http.server.requests",
					"HTTP requests the service answered, by method, route template (uri), status and outcome"),
			Map.entry("http.server.requests.active", "HTTP requests the service is answering now"),
			Map.entry("http.client.requests",
					"HTTP requests the service made (the Dapr sidecar, the identity provider), by method, uri template, status and outcome"),
			Map.entry("http.client.requests.active", "HTTP requests the service is waiting on now"),
			Map.entry("r2dbc.query", "SQL statements run on PostgreSQL through R2DBC"),
			Map.entry("r2dbc.query.active", "SQL statements running on PostgreSQL through R2DBC now"),
			Map.entry("pakaura.outbox.relay",
					"Changes the outbox relay sent (a change's events go together), from hand-over to the binder's confirmation of the last, by outcome"),
			Map.entry("pakaura.outbox.relay.active", "Changes the outbox relay is sending now"));

	@Override
	public Meter.Id map(Meter.Id id) {
		String description = (id.getDescription() == null) ? DESCRIPTIONS.get(id.getName()) : null;
		return (description != null) ? described(id, description) : id;
	}

	private static Meter.Id described(Meter.Id id, String description) {
		return new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description, id.getType());
	}

}
