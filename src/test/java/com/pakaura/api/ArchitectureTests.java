package com.pakaura.api;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The dependency rules of docs/development.md ("Dependencies point one way"), checked on
 * the compiled classes (ArchUnit): the binder stays a library that could leave this
 * repository, and the task domain knows nothing of how its changes travel.
 */
class ArchitectureTests {

	private static final JavaClasses MAIN = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("com.pakaura");

	@Test
	void theBinderImportsNothingFromTheService() {
		noClasses().that()
			.resideInAPackage("com.pakaura.binder..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("com.pakaura.api..")
			.check(MAIN);
	}

	/**
	 * The service meets the binder's own API in one adapter; everything else speaks
	 * Spring Cloud Stream, so another binder would change one class.
	 */
	@Test
	void onlyTheSendAdapterImportsTheBinder() {
		noClasses().that()
			.resideInAPackage("com.pakaura.api..")
			.and()
			// with its synthetic classes (BinderSends$1: the switch over the binder's
			// enum)
			.haveNameNotMatching("com\\.pakaura\\.api\\.events\\.BinderSends(\\$.*)?")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("com.pakaura.binder..")
			.check(MAIN);
	}

	@Test
	void theTaskDomainKnowsNothingOfEventsTheWebMcpStreamsOrSpringCloudStream() {
		noClasses().that()
			.resideInAPackage("com.pakaura.api.task..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("com.pakaura.api.events..", "com.pakaura.api.web..", "com.pakaura.api.mcp..",
					"com.pakaura.api.stream..", "com.pakaura.binder..", "org.springframework.cloud.stream..")
			.check(MAIN);
	}

	/**
	 * {@code mvn spring-boot:test-run} (README's first command) starts the one main class
	 * of the test classes; a second one makes it refuse to choose.
	 */
	@Test
	void theTestClassesHaveOneMainClassForSpringBootTestRun() {
		JavaClasses tests = new ClassFileImporter().withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
			.importPackages("com.pakaura");
		methods().that()
			.haveName("main")
			.and()
			.areStatic()
			.and()
			.arePublic()
			.should()
			.beDeclaredIn(TestPakauraApplication.class)
			.check(tests);
	}

	@Test
	void theServicesPackagesHaveNoCycles() {
		slices().matching("com.pakaura.api.(*)..").should().beFreeOfCycles().check(MAIN);
	}

}
