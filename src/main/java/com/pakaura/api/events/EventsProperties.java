package com.pakaura.api.events;

import java.net.URI;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How task events describe themselves.
 *
 * @param source the CloudEvents {@code source} of every event (env {@code EVENTS_SOURCE})
 */
@ConfigurationProperties("pakaura.events")
public record EventsProperties(@DefaultValue("pakaura/api") URI source) {

}
