package com.pakaura.binder.dapr;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.cloud.stream.config.BindingHandlerAdvise;

import com.pakaura.binder.dapr.config.DaprBindingMappingsConfiguration;
import com.pakaura.binder.dapr.config.DaprHealthConfiguration;
import com.pakaura.binder.dapr.config.DaprSubscriptionsConfiguration;
import com.pakaura.binder.dapr.properties.DaprBinderConfigurationProperties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The binder's auto-configurations in the application context and their conditions, each
 * on its own (Spring Boot's {@code ApplicationContextRunner}): milliseconds, no sidecar,
 * no database.
 */
class DaprAutoConfigurationTests {

	private final ApplicationContextRunner plain = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DaprHealthConfiguration.class, DaprBindingMappingsConfiguration.class,
				DaprSubscriptionsConfiguration.class));

	private final ReactiveWebApplicationContextRunner web = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DaprSubscriptionsConfiguration.class));

	@Test
	void theHealthIndicatorIsThereUnlessItsHealthIndicatorIsDisabled() {
		this.plain.run((context) -> assertThat(context).hasSingleBean(DaprHealthIndicator.class));
		this.plain.withPropertyValues("management.health.dapr.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(DaprHealthIndicator.class));
	}

	@Test
	void perBindingSettingsDefaultToTheDefaultsPrefix() {
		this.plain.run((context) -> assertThat(context).hasSingleBean(BindingHandlerAdvise.MappingsProvider.class));
	}

	@Test
	void subscriptionsAndTheirRoutesExistOnlyInAReactiveWebApplication() {
		this.plain.run((context) -> assertThat(context).doesNotHaveBean(DaprSubscriptions.class));
		this.web.run((context) -> assertThat(context).hasSingleBean(DaprSubscriptions.class)
			.hasBean("daprSubscriptionRoutes"));
	}

	@Test
	void theAppApiTokenIsBoundAndNeverPrinted() {
		this.web.withPropertyValues("spring.cloud.stream.dapr.binder.app-api-token=s3cret").run((context) -> {
			DaprBinderConfigurationProperties properties = context.getBean(DaprBinderConfigurationProperties.class);
			assertThat(properties.appApiToken()).isEqualTo("s3cret");
			assertThat(properties.toString()).doesNotContain("s3cret").contains("appApiToken=(set)");
		});
	}

}
