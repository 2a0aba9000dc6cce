package com.pakaura.api.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.micrometer.tracing.test.autoconfigure.AutoConfigureTracing;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Import;

/**
 * The whole application on a random port, against the test PostgreSQL, reached through
 * the real HTTP stack with real signed tokens. Messages handed to the event bindings are
 * recorded by {@link PublishedEvents}; which binder delivers them is the test's choice
 * ({@link ApiTest} picks the test binder). Requests go on fresh connections
 * ({@link OneRequestPerConnection}). Tracing works as in production (spans, W3C
 * propagation; Boot's test support would turn propagation off), with nothing exported
 * unless a test adds an exporter.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "pakaura.auth.jwt-secret=" + Tokens.SECRET)
@AutoConfigureWebTestClient
@AutoConfigureTracing
@Import({ TestDatabaseConfiguration.class, PublishedEvents.Recording.class, OneRequestPerConnection.class })
public @interface ServiceTest {

}
