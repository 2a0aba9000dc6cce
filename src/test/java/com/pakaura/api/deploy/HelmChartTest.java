package com.pakaura.api.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.json.JsonMapper;

import com.pakaura.api.events.DeliveryDrains;
import com.pakaura.binder.dapr.BinderSettings;
import com.pakaura.binder.dapr.properties.DaprBinderConfigurationProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Helm chart, linted and rendered by Helm itself (embedded through helm-java) with
 * each values file, and the rendered objects checked for what a Dapr deployment of this
 * service needs.
 */
class HelmChartTest {

	private static final Path CHART = Path.of("helm", "pakaura-api");

	/**
	 * Values whose children are free-form (Kubernetes objects, maps of names) are
	 * described as a whole.
	 */
	private static final Set<String> FREE_FORM = Set.of("resources", "podSecurityContext", "securityContext",
			"nodeSelector", "affinity", "extraConfig", "serviceAccount.annotations", "serviceMonitor.labels");

	@Test
	void theChartLintsClean() {
		LintResult lint = new Helm(CHART).lint().strict().call();
		assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
	}

	@Test
	void productionValuesRenderADaprEnabledDeploymentThatOnlyReferencesSecrets() throws IOException {
		Rendered rendered = render("values.yaml");
		Map<String, Object> deployment = rendered.one("Deployment");
		assertThat(value(deployment, "spec.replicas")).isEqualTo(2);

		Map<String, Object> annotations = map(deployment, "spec.template.metadata.annotations");
		assertThat(annotations).containsEntry("dapr.io/enabled", "true")
			.containsEntry("dapr.io/app-id", "pakaura-api")
			.containsEntry("dapr.io/app-port", "8080")
			.containsEntry("dapr.io/enable-api-logging", "false")
			.containsKey("dapr.io/graceful-shutdown-seconds")
			.containsKey("dapr.io/block-shutdown-duration")
			.doesNotContainKey("dapr.io/api-token-secret");

		Map<String, Object> container = container(deployment);
		assertThat(value(container, "livenessProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
		assertThat(value(container, "readinessProbe.httpGet.path")).isEqualTo("/actuator/health/readiness");
		assertThat(value(container, "resources.requests.memory")).isEqualTo("512Mi");
		assertThat(value(container, "resources.limits.memory")).isEqualTo("768Mi");
		assertThat(value(container, "resources.limits.cpu")).isEqualTo("1");
		assertHeapLeavesRoomInTheMemoryLimit(768);
		assertThat(value(container, "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
		assertThat(value(container, "securityContext.allowPrivilegeEscalation")).isEqualTo(false);
		assertThat(value(deployment, "spec.template.spec.securityContext.runAsNonRoot")).isEqualTo(true);
		assertThat((Integer) value(deployment, "spec.template.spec.terminationGracePeriodSeconds"))
			.isGreaterThanOrEqualTo(35);
		assertThat(value(container, "lifecycle.preStop.sleep.seconds")).isEqualTo(5);

		// secrets come only from Secret references
		Map<String, Map<String, Object>> env = env(container);
		assertThat(env.get("SPRING_R2DBC_PASSWORD")).containsKey("valueFrom").doesNotContainKey("value");
		assertThat(value(env.get("AUTH_JWT_SECRET"), "valueFrom.secretKeyRef.name")).isEqualTo("pakaura-auth");

		Map<String, Object> config = map(rendered.one("ConfigMap"), "data");
		assertThat(config).containsEntry("DAPR_ENABLED", "true")
			.containsEntry("SPRING_PROFILES_ACTIVE", "k8s")
			.containsEntry("DAPR_PUBSUB_NAME", "pubsub-kafka")
			.containsEntry("EVENTS_DELIVERY", "outbox")
			.containsEntry("TOPIC_TASK_EVENTS", "task-events")
			.containsEntry("TOPIC_TASK_UPDATES", "task-updates")
			.containsEntry("TOPIC_REMINDERS", "reminders")
			.doesNotContainKeys("SPRING_R2DBC_PASSWORD", "AUTH_JWT_SECRET", "DAPR_API_TOKEN");

		assertThat(list(rendered.one("Service"), "spec.ports")).hasSize(1);
		assertThat(rendered.all("Component")).as("the component is managed outside this chart in production").isEmpty();
	}

	/**
	 * daprd stops accepting connections as soon as its own shutdown starts (dapr
	 * pkg/api/http/server.go Close: srv.Shutdown), which without
	 * dapr.io/block-shutdown-duration is at SIGTERM. The sidecar must outlive everything
	 * the app does after SIGTERM, and the pod must outlive both.
	 */
	@Test
	void theSidecarOutlivesTheApplicationsWholeStopAndThePodOutlivesBoth() throws IOException {
		for (String file : List.of("values.yaml", "values-local.yaml")) {
			Map<String, Object> deployment = render(file).one("Deployment");
			Map<String, Object> annotations = map(deployment, "spec.template.metadata.annotations");
			long block = Duration
				.parse("PT" + annotations.get("dapr.io/block-shutdown-duration").toString().toUpperCase())
				.toSeconds();
			long daprGraceful = Long.parseLong(annotations.get("dapr.io/graceful-shutdown-seconds").toString());
			long preStop = ((Number) value(container(deployment), "lifecycle.preStop.sleep.seconds")).longValue();
			long podGrace = ((Number) value(deployment, "spec.template.spec.terminationGracePeriodSeconds"))
				.longValue();

			String k8sProfile = Files.readString(Path.of("application-profiles", "application-k8s.yaml"));
			Matcher phase = Pattern.compile("timeout-per-shutdown-phase:\\s*(\\d+)s").matcher(k8sProfile);
			assertThat(phase.find()).isTrue();
			long shutdownPhase = Long.parseLong(phase.group(1));
			DaprBinderConfigurationProperties binderDefaults = BinderSettings.defaults();
			long binderDrain = binderDefaults.shutdownTimeout().toSeconds();

			// whichever mode the values choose, and the other one a user may switch to
			for (Duration deliveryDrain : List.of(DeliveryDrains.PUBLISHER, DeliveryDrains.RELAY)) {
				assertThat(block)
					.as(file + ": block-shutdown-duration covers the app's stop with a drain of %s", deliveryDrain)
					.isGreaterThanOrEqualTo(preStop + shutdownPhase + deliveryDrain.toSeconds() + binderDrain);
			}
			assertThat(podGrace).as(file + ": the pod outlives the sidecar")
				.isGreaterThanOrEqualTo(block + daprGraceful);
		}
	}

	@Test
	void theBindersSizeLimitIsTheKafkaComponentsRecordLimit() {
		Rendered rendered = render("values-local.yaml");
		Map<String, Object> config = map(rendered.one("ConfigMap"), "data");
		String componentLimit = componentMetadata(rendered.all("Component").get(0)).get("maxMessageBytes").toString();
		assertThat(config).containsEntry("SPRING_CLOUD_STREAM_DAPR_BINDER_MAXBODYSIZE", componentLimit + "B");
		DaprBinderConfigurationProperties binderDefaults = BinderSettings.defaults();
		assertThat(binderDefaults.maxBodySize().toBytes()).isEqualTo(Long.parseLong(componentLimit));
	}

	@Test
	void localValuesRenderOneReplicaAndTheKafkaComponentWithExplicitMaxMessageBytes() {
		Rendered rendered = render("values-local.yaml");
		Map<String, Object> deployment = rendered.one("Deployment");
		assertThat(value(deployment, "spec.replicas")).isEqualTo(1);
		assertThat(map(deployment, "spec.template.metadata.annotations")).containsEntry("dapr.io/enable-api-logging",
				"true");
		assertThat(map(rendered.one("ConfigMap"), "data")).containsEntry("EVENTS_DELIVERY", "fire-and-forget");

		assertThat(rendered.all("Component")).hasSize(2);
		Map<String, Object> broadcast = rendered.all("Component")
			.stream()
			.filter((one) -> value(one, "metadata.name").equals("pubsub-kafka-broadcast"))
			.findFirst()
			.orElseThrow();
		assertThat(componentMetadata(broadcast)).as("one consumer group per pod for the live stream")
			.containsEntry("consumerGroup", "{podName}");
		Map<String, Object> component = rendered.all("Component")
			.stream()
			.filter((one) -> value(one, "metadata.name").equals("pubsub-kafka"))
			.findFirst()
			.orElseThrow();
		assertThat(value(component, "apiVersion")).isEqualTo("dapr.io/v1alpha1");
		assertThat(value(component, "metadata.name")).isEqualTo("pubsub-kafka");
		assertThat(value(component, "spec.type")).isEqualTo("pubsub.kafka");
		Map<String, Object> metadata = componentMetadata(component);
		assertThat(metadata).containsEntry("brokers", "kafka.kafka.svc.cluster.local:9092")
			.containsEntry("authType", "none")
			.containsEntry("maxMessageBytes", "1048576")
			.containsKey("consumerGroup");
		assertThat(value(component, "scopes")).isEqualTo(List.of("pakaura-api"));
	}

	@Test
	void aComponentWithPasswordAuthTakesThePasswordFromASecret() {
		Rendered rendered = renderProductionWith(Map.of("dapr.component.create", true, "dapr.apiTokenSecret",
				"dapr-api-token", "dapr.appTokenSecret", "dapr-app-token"));
		List<Map<String, Object>> metadata = list(rendered.all("Component").get(0), "spec.metadata");
		assertThat(metadata).filteredOn((entry) -> entry.get("name").equals("saslPassword"))
			.singleElement()
			.satisfies((entry) -> assertThat(entry).containsKey("secretKeyRef").doesNotContainKey("value"));
		Map<String, Object> deployment = rendered.one("Deployment");
		assertThat(map(deployment, "spec.template.metadata.annotations")).containsEntry("dapr.io/api-token-secret",
				"dapr-api-token");
		assertThat(value(env(container(deployment)).get("DAPR_API_TOKEN"), "valueFrom.secretKeyRef.name"))
			.isEqualTo("dapr-api-token");
		assertThat(map(deployment, "spec.template.metadata.annotations")).containsEntry("dapr.io/app-token-secret",
				"dapr-app-token");
		assertThat(value(env(container(deployment)).get("APP_API_TOKEN"), "valueFrom.secretKeyRef.name"))
			.isEqualTo("dapr-app-token");
	}

	@Test
	void theGrafanaDashboardShipsAsALabelledConfigMapWhenAsked() {
		assertThat(render("values.yaml").all("ConfigMap")).hasSize(1);
		Rendered rendered = renderProductionWith(Map.of("grafanaDashboard.enabled", true));
		Map<String, Object> dashboard = rendered.all("ConfigMap")
			.stream()
			.filter((one) -> value(one, "metadata.name").toString().endsWith("-dashboard"))
			.findFirst()
			.orElseThrow();
		assertThat(map(dashboard, "metadata.labels")).containsEntry("grafana_dashboard", "1");
		String json = (String) map(dashboard, "data").get("pakaura-api.json");
		assertThat(JsonMapper.builder().build().readTree(json).get("uid").stringValue())
			.isEqualTo("pakaura-api-events");
	}

	@Test
	void helmRefusesValuesTheSchemaDoesNotAllow(@TempDir Path dir) throws IOException {
		for (String bad : List.of("replicaCount: two", "replicas: 3", "events:\n  delivery: exactly-once",
				"dapr:\n  publishTimeout: soon")) {
			Path values = dir.resolve("bad.yaml");
			Files.writeString(values, bad + "\n");
			assertThatThrownBy(() -> new Helm(CHART).template().withName("pakaura").withValuesFile(values).call())
				.as(bad)
				.hasMessageContaining("values don't meet the specifications of the schema");
		}
	}

	@Test
	void productionValuesAddAServiceAccountWithoutTokenAPodDisruptionBudgetAndTheSidecarsSettings() {
		Rendered rendered = render("values.yaml");
		Map<String, Object> deployment = rendered.one("Deployment");
		Map<String, Object> account = rendered.one("ServiceAccount");
		assertThat(value(deployment, "spec.template.spec.serviceAccountName"))
			.isEqualTo(value(account, "metadata.name"));
		assertThat(value(deployment, "spec.template.spec.automountServiceAccountToken")).isEqualTo(false);
		assertThat(value(account, "automountServiceAccountToken")).isEqualTo(false);

		Map<String, Object> budget = rendered.one("PodDisruptionBudget");
		assertThat(value(budget, "spec.maxUnavailable")).isEqualTo(1);
		assertThat(map(budget, "spec.selector.matchLabels")).isEqualTo(map(deployment, "spec.selector.matchLabels"));
		assertThat(rendered.all("HorizontalPodAutoscaler")).isEmpty();
		assertThat(rendered.all("ServiceMonitor")).isEmpty();

		assertThat(map(deployment, "spec.template.metadata.annotations")).containsEntry("dapr.io/log-as-json", "true")
			.containsEntry("dapr.io/enable-metrics", "true")
			.containsEntry("dapr.io/metrics-port", "9090")
			.containsEntry("dapr.io/sidecar-cpu-request", "100m")
			.containsEntry("dapr.io/sidecar-memory-limit", "256Mi")
			.doesNotContainKey("dapr.io/config");
		assertThat(render("values-local.yaml").all("PodDisruptionBudget")).as("one replica: no budget").isEmpty();
	}

	@Test
	void autoscalingReplacesTheReplicaCountAndAServiceMonitorScrapesPrometheus() {
		Rendered rendered = renderProductionWith(Map.of("autoscaling.enabled", true, "serviceMonitor.enabled", true,
				"serviceMonitor.labels.release", "kube-prometheus-stack", "dapr.config", "tracing"));
		Map<String, Object> deployment = rendered.one("Deployment");
		assertThat(map(deployment, "spec")).doesNotContainKey("replicas");
		Map<String, Object> autoscaler = rendered.one("HorizontalPodAutoscaler");
		assertThat(value(autoscaler, "spec.minReplicas")).isEqualTo(2);
		assertThat(value(autoscaler, "spec.scaleTargetRef.name")).isEqualTo(value(deployment, "metadata.name"));
		assertThat(rendered.all("PodDisruptionBudget")).hasSize(1);
		Map<String, Object> monitor = rendered.one("ServiceMonitor");
		assertThat(map(monitor, "metadata.labels")).containsEntry("release", "kube-prometheus-stack");
		assertThat(list(monitor, "spec.endpoints").get(0)).containsEntry("path", "/actuator/prometheus")
			.containsEntry("port", "http");
		assertThat(map(deployment, "spec.template.metadata.annotations")).containsEntry("dapr.io/config", "tracing");
	}

	@Test
	void withAnIdentityProviderTheSharedSecretIsNotMounted() {
		Rendered rendered = renderProductionWith(
				Map.of("auth.issuerUri", "https://sso.example/realms/pakaura", "auth.audience", "pakaura-api"));
		assertThat(map(rendered.one("ConfigMap"), "data"))
			.containsEntry("AUTH_JWT_ISSUER_URI", "https://sso.example/realms/pakaura")
			.containsEntry("AUTH_JWT_AUDIENCE", "pakaura-api")
			.doesNotContainKey("AUTH_JWT_JWK_SET_URI");
		assertThat(env(container(rendered.one("Deployment")))).doesNotContainKey("AUTH_JWT_SECRET");
	}

	@Test
	void theChartsReadmeDescribesEveryValue() throws IOException {
		String readme = Files.readString(CHART.resolve("README.md"));
		Map<String, Object> values = new Yaml().load(Files.readString(CHART.resolve("values.yaml")));
		List<String> leaves = new ArrayList<>();
		collectLeaves("", values, leaves);
		assertThat(leaves).contains("auth.issuerUri", "dapr.sidecarResources.cpuLimit", "resources");
		assertThat(leaves).allSatisfy((leaf) -> assertThat(readme).as(leaf).contains("`" + leaf + "`"));
	}

	@Test
	void theImageJibBuildsIsTheImageTheChartRuns() throws IOException {
		String pom = Files.readString(Path.of("pom.xml"));
		Map<String, Object> chart = new Yaml().load(Files.readString(CHART.resolve("Chart.yaml")));
		Map<String, Object> values = new Yaml().load(Files.readString(CHART.resolve("values.yaml")));
		Matcher image = Pattern.compile("<image.name>([^<]+)</image.name>").matcher(pom);
		Matcher version = Pattern.compile("<artifactId>pakaura-api</artifactId>\\s*<version>([^<]+)</version>")
			.matcher(pom);
		assertThat(image.find()).isTrue();
		assertThat(version.find()).isTrue();
		assertThat(value(values, "image.repository")).isEqualTo(image.group(1));
		// a release's image tag is the chart's appVersion
		assertThat(chart.get("appVersion")).isEqualTo(version.group(1).replace("-SNAPSHOT", ""));
	}

	@SuppressWarnings("unchecked")
	private static void collectLeaves(String prefix, Map<String, Object> values, List<String> leaves) {
		values.forEach((key, value) -> {
			String path = prefix.isEmpty() ? key : prefix + "." + key;
			if (value instanceof Map<?, ?> children && !children.isEmpty() && !FREE_FORM.contains(path)) {
				collectLeaves(path, (Map<String, Object>) children, leaves);
			}
			else {
				leaves.add(path);
			}
		});
	}

	@Test
	void noValuesFileHoldsASecretValue() throws IOException {
		Pattern secretLooking = Pattern.compile("(?i)^\\s*(password|secret|token|jwt[-_]?secret)\\s*:\\s*\\S+");
		for (String file : List.of("values.yaml", "values-local.yaml")) {
			assertThat(Files.readAllLines(CHART.resolve(file))).as(file)
				.noneMatch((line) -> secretLooking.matcher(line).find() && !line.contains("Secret"));
		}
	}

	/** The production values with these set, as {@code helm template --set} would. */
	private static Rendered renderProductionWith(Map<String, Object> settings) {
		TemplateCommand template = new Helm(CHART).template()
			.withName("pakaura")
			.withValuesFile(CHART.resolve("values.yaml"));
		settings.forEach(template::set);
		return new Rendered(template.call());
	}

	private static Rendered render(String valuesFile) {
		return new Rendered(
				new Helm(CHART).template().withName("pakaura").withValuesFile(CHART.resolve(valuesFile)).call());
	}

	private static Map<String, Object> container(Map<String, Object> deployment) {
		List<Map<String, Object>> containers = list(deployment, "spec.template.spec.containers");
		assertThat(containers).hasSize(1);
		return containers.get(0);
	}

	private static Map<String, Map<String, Object>> env(Map<String, Object> container) {
		List<Map<String, Object>> env = list(container, "env");
		Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
		env.forEach((variable) -> byName.put((String) variable.get("name"), variable));
		return byName;
	}

	private static Map<String, Object> componentMetadata(Map<String, Object> component) {
		List<Map<String, Object>> metadata = list(component, "spec.metadata");
		Map<String, Object> byName = new LinkedHashMap<>();
		metadata.forEach((entry) -> byName.put((String) entry.get("name"), entry.get("value")));
		return byName;
	}

	private static Object value(Object root, String path) {
		Object current = root;
		for (String part : path.split("\\.")) {
			if (!(current instanceof Map<?, ?> map)) {
				return null;
			}
			current = map.get(part);
		}
		return current;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object root, String path) {
		return (Map<String, Object>) value(root, path);
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> list(Object root, String path) {
		return (List<Map<String, Object>>) value(root, path);
	}

	/** The objects of one rendering, parsed. */
	private record Rendered(List<Map<String, Object>> objects) {

		@SuppressWarnings("unchecked")
		Rendered(String manifests) {
			this(parse(manifests));
		}

		@SuppressWarnings("unchecked")
		private static List<Map<String, Object>> parse(String manifests) {
			List<Map<String, Object>> objects = new ArrayList<>();
			for (Object document : new Yaml().loadAll(manifests)) {
				if (document instanceof Map<?, ?> object) {
					objects.add((Map<String, Object>) object);
				}
			}
			return objects;
		}

		List<Map<String, Object>> all(String kind) {
			return this.objects.stream().filter((object) -> kind.equals(object.get("kind"))).toList();
		}

		Map<String, Object> one(String kind) {
			List<Map<String, Object>> found = all(kind);
			assertThat(found).as(kind).hasSize(1);
			return found.get(0);
		}

	}

	/**
	 * perf/README.md's figures are of the image's JVM: the harness runs the service with
	 * every {@code -XX} flag Jib gives the image (pom.xml), with the chart's memory limit
	 * as {@code MaxRAM}.
	 */
	@Test
	void thePerformanceHarnessRunsTheServiceWithTheImagesJvmFlags() throws IOException {
		String pom = Files.readString(Path.of("pom.xml"));
		List<String> imageFlags = new ArrayList<>();
		Matcher flag = Pattern.compile("<jvmFlag>(-XX:[^<]+)</jvmFlag>").matcher(pom);
		while (flag.find()) {
			imageFlags.add(flag.group(1));
		}
		assertThat(imageFlags).as("the image's -XX flags in pom.xml").isNotEmpty();
		String harness = Files.readString(Path.of("perf", "run"));
		Matcher defaults = Pattern.compile("(?m)^JVM_FLAGS=\\$\\{PERF_JVM_FLAGS:-\"([^\"]*)\"}$").matcher(harness);
		assertThat(defaults.find()).as("perf/run's default JVM_FLAGS").isTrue();
		assertThat(List.of(defaults.group(1).split(" "))).containsAll(imageFlags).contains("-XX:MaxRAM=768m");
	}

	/**
	 * The image's JVM takes a share of the container's limit for its heap (Jib's
	 * {@code -XX:MaxRAMPercentage} in pom.xml); the rest must hold what
	 * docs/operations.md measured the JVM to need besides the heap, about 250 MB, or the
	 * pod is killed before the heap is full.
	 */
	private static void assertHeapLeavesRoomInTheMemoryLimit(int limitMiB) throws IOException {
		String pom = Files.readString(Path.of("pom.xml"));
		Matcher share = Pattern.compile("<jvmFlag>-XX:MaxRAMPercentage=([0-9.]+)</jvmFlag>").matcher(pom);
		assertThat(share.find()).as("the image's heap share in pom.xml").isTrue();
		assertThat(pom).contains("<jvmFlag>-XX:+ExitOnOutOfMemoryError</jvmFlag>");
		double heapMiB = limitMiB * Double.parseDouble(share.group(1)) / 100;
		assertThat(limitMiB - heapMiB).as("MiB of the %d MiB limit besides the heap", limitMiB)
			.isGreaterThanOrEqualTo(250 * 1_000_000.0 / (1 << 20));
	}

}
