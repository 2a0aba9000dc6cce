package com.pakaura.api.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart's Grafana dashboard, read as a scrape would have to satisfy it: the metric
 * names its queries use must be series the service exposes.
 */
public final class GrafanaDashboard {

	public static final Path FILE = Path.of("helm/pakaura-api/dashboards/pakaura-api.json");

	private static final Pattern METRIC = Pattern.compile("\\b((?:dapr|pakaura|http)_[a-z_]+)\\{");

	private static final Pattern TYPE_LINE = Pattern.compile("# TYPE (\\S+) \\S+");

	private static final Pattern HELP_LINE = Pattern.compile("# HELP (\\S+) ?(.*)");

	private GrafanaDashboard() {
	}

	/** The metric names the dashboard's queries select, starting with the prefix. */
	public static Set<String> metrics(String prefix) {
		Set<String> names = new TreeSet<>();
		Matcher metric = METRIC.matcher(read());
		while (metric.find()) {
			if (metric.group(1).startsWith(prefix)) {
				names.add(metric.group(1));
			}
		}
		return names;
	}

	/**
	 * Every metric of the dashboard with this prefix is in the scrape, and every meter of
	 * the scrape has its HELP text.
	 */
	public static void assertScrapeServes(String scrape, String... prefixes) {
		for (String prefix : prefixes) {
			Set<String> wanted = metrics(prefix);
			assertThat(wanted).as("dashboard metrics " + prefix + "*").isNotEmpty();
			for (String name : wanted) {
				assertThat(scrape).as("the dashboard's " + name).containsPattern("(?m)^" + name + "[{ ]");
			}
		}
		assertEveryMeterHasHelp(scrape);
	}

	/**
	 * Every {@code # TYPE name} line of the scrape has a {@code # HELP name text} line
	 * with text that is not blank: a meter without a description is served with no HELP
	 * line or an empty one, and a dashboard user then sees a bare name.
	 */
	public static void assertEveryMeterHasHelp(String scrape) {
		Set<String> typed = new TreeSet<>();
		Set<String> described = new TreeSet<>();
		scrape.lines().forEach((line) -> {
			Matcher type = TYPE_LINE.matcher(line);
			if (type.matches()) {
				typed.add(type.group(1));
			}
			Matcher help = HELP_LINE.matcher(line);
			if (help.matches() && !help.group(2).isBlank()) {
				described.add(help.group(1));
			}
		});
		assertThat(typed).as("meters in the scrape").isNotEmpty();
		Set<String> undescribed = new TreeSet<>(typed);
		undescribed.removeAll(described);
		assertThat(undescribed).as("meters without HELP text").isEmpty();
	}

	private static String read() {
		try {
			return Files.readString(FILE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
