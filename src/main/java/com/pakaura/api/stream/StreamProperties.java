package com.pakaura.api.stream;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The live stream's limits.
 *
 * @param heartbeat how often a comment line goes to every open stream, so that proxies do
 * not close an idle connection
 * @param clientBuffer events one client may fall behind by; past that it gets a final
 * {@code stream.overflow} event and its stream is closed (it reconnects with
 * {@code Last-Event-ID})
 * @param replay recent events kept per user for clients that reconnect with
 * {@code Last-Event-ID}
 */
@ConfigurationProperties("pakaura.stream")
public record StreamProperties(@DefaultValue("15s") Duration heartbeat, @DefaultValue("256") int clientBuffer,
		@DefaultValue("100") int replay) {

}
