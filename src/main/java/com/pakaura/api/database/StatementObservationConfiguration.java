package com.pakaura.api.database;

import io.r2dbc.proxy.core.MethodExecutionInfo;
import io.r2dbc.proxy.core.QueryExecutionInfo;
import io.r2dbc.proxy.listener.ProxyExecutionListener;
import io.r2dbc.proxy.observation.ObservationProxyExecutionListener;

import org.springframework.boot.r2dbc.autoconfigure.ProxyConnectionFactoryCustomizer;
import org.springframework.boot.r2dbc.autoconfigure.observation.R2dbcObservationAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/**
 * Spring Boot's observation of each R2DBC statement (r2dbc-proxy's
 * {@link ObservationProxyExecutionListener}: the {@code r2dbc.query} timer and a span per
 * statement), without the observation event it adds for every row a statement returns.
 *
 * <p>
 * Each such event looked up the counter {@code r2dbc.query.r2dbc.query_result} by name
 * and tags and added an event to the statement's span, once per row: a list of 100 tasks
 * made 100 of each, and the outbox relay, which reads back and deletes its rows, two per
 * event it sent (4.2% of its CPU samples, research.md R19). Nothing read the counter (no
 * dashboard, no alert); the statement's timer and span stay as Boot makes them, with
 * their settings ({@code management.observations.r2dbc.*}). Without Boot's observation
 * (its auto-configuration excluded) there is nothing to change.
 */
@Configuration(proxyBeanMethods = false)
class StatementObservationConfiguration {

	/** After Boot's customizer, which adds the listener this one wraps. */
	@Bean
	@Order(R2dbcObservationAutoConfiguration.R2DBC_PROXY_OBSERVATION_CUSTOMIZER_ORDER + 1)
	ProxyConnectionFactoryCustomizer statementObservationWithoutRowEvents() {
		return (builder) -> builder.getProxyConfig()
			.getListeners()
			.getListeners()
			.replaceAll((listener) -> (listener instanceof ObservationProxyExecutionListener observation)
					? new WithoutRowEvents(observation) : listener);
	}

	/** The statement's observation, less its event per row. */
	private record WithoutRowEvents(ObservationProxyExecutionListener observation) implements ProxyExecutionListener {

		@Override
		public void beforeMethod(MethodExecutionInfo executionInfo) {
			this.observation.beforeMethod(executionInfo);
		}

		@Override
		public void afterMethod(MethodExecutionInfo executionInfo) {
			this.observation.afterMethod(executionInfo);
		}

		@Override
		public void beforeQuery(QueryExecutionInfo executionInfo) {
			this.observation.beforeQuery(executionInfo);
		}

		@Override
		public void afterQuery(QueryExecutionInfo executionInfo) {
			this.observation.afterQuery(executionInfo);
		}

		@Override
		public void eachQueryResult(QueryExecutionInfo executionInfo) {
			// one event per row: nothing the statement's span and timer need
		}

	}

}
