package com.pakaura.api.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Debian's headless Chromium through Selenium, for the tests of the local stream page.
 * Where Chromium and its driver are missing such a test is skipped, except on CI, where
 * {@code .ci/run} installs them and a skip would hide the test: there it fails.
 */
public final class HeadlessChromium {

	private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

	private HeadlessChromium() {
	}

	/** A new browser; skips the test (fails it on CI) when there is none to start. */
	public static WebDriver start() {
		boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
		if ("true".equals(System.getenv("CI"))) {
			assertThat(installed).as("%s and %s are installed", CHROMIUM, CHROMEDRIVER).isTrue();
		}
		assumeThat(installed).as("chromium and chromium-driver are installed").isTrue();
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM.toFile());
		options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu");
		options.setPageLoadTimeout(Duration.ofSeconds(60));
		ChromeDriverService driver = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.build();
		return new ChromeDriver(driver, options);
	}

}
