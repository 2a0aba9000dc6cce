package com.pakaura.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every relative link of the project's Markdown (README, docs/, perf/, specs/, the chart)
 * names a file of this repository, and an anchor names a heading of its file: nothing
 * points outside the repository or at a section that moved.
 */
class DocsLinksTest {

	private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");

	private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6} (.+)$");

	@Test
	void everyLinkResolvesInsideTheRepository() throws IOException {
		List<Path> documents = documents();
		assertThat(documents).contains(Path.of("README.md"), Path.of("docs", "configuration.md"));
		List<String> broken = new ArrayList<>();
		Path root = Path.of("").toAbsolutePath().normalize();
		for (Path document : documents) {
			String text = withoutCodeBlocks(Files.readString(document));
			Matcher link = LINK.matcher(text);
			while (link.find()) {
				String target = link.group(1);
				if (target.matches("^[a-z]+:.*")) {
					continue;
				}
				String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
				String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
				Path resolved = file.isEmpty() ? document.toAbsolutePath().normalize()
						: document.toAbsolutePath().getParent().resolve(file).normalize();
				if (!resolved.startsWith(root) || !Files.exists(resolved)) {
					broken.add(document + ": " + target + " (no such file in the repository)");
				}
				else if (anchor != null && Files.isRegularFile(resolved) && resolved.toString().endsWith(".md")
						&& !anchors(Files.readString(resolved)).contains(anchor)) {
					broken.add(document + ": " + target + " (no such heading)");
				}
			}
		}
		assertThat(broken).isEmpty();
	}

	private static List<Path> documents() throws IOException {
		List<Path> documents = new ArrayList<>(List.of(Path.of("README.md"), Path.of("perf", "README.md"),
				Path.of("helm", "pakaura-api", "README.md")));
		for (Path folder : List.of(Path.of("docs"), Path.of("specs"))) {
			try (Stream<Path> files = Files.walk(folder)) {
				files.filter((path) -> path.toString().endsWith(".md")).sorted().forEach(documents::add);
			}
		}
		return documents;
	}

	/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens. */
	static Set<String> anchors(String markdown) {
		Set<String> anchors = new HashSet<>();
		Matcher heading = HEADING.matcher(withoutCodeBlocks(markdown));
		while (heading.find()) {
			anchors.add(heading.group(1)
				.strip()
				.toLowerCase(Locale.ROOT)
				.replaceAll("[^\\p{L}\\p{N} _-]", "")
				.replace(' ', '-'));
		}
		return anchors;
	}

	private static String withoutCodeBlocks(String markdown) {
		return markdown.replaceAll("(?s)```.*?```", "");
	}

}
