package com.pakaura.api.task;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * One page of a user's tasks, newest first.
 *
 * @param next where the following page starts; {@code null} on the last page
 */
public record TaskPage(List<Task> tasks, @Nullable Cursor next) {

	public static final int DEFAULT_LIMIT = 50;

	public static final int MAX_LIMIT = 200;

	/**
	 * A position in the newest-first order: the page that follows starts after this task.
	 * Keyset positions stay stable while tasks are added or deleted, unlike offsets.
	 */
	public record Cursor(Instant createdAt, UUID id) {

		private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

		private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

		static Cursor after(Task task) {
			return new Cursor(task.createdAt(), task.id());
		}

		/** The opaque form handed to clients. */
		public String encode() {
			return ENCODER.encodeToString((this.createdAt + "|" + this.id).getBytes(StandardCharsets.UTF_8));
		}

		/**
		 * @throws TaskValidationException when the text is not a cursor this service
		 * issued
		 */
		public static Cursor decode(String text) {
			try {
				String decoded = new String(DECODER.decode(text), StandardCharsets.UTF_8);
				int separator = decoded.indexOf('|');
				if (separator < 0) {
					throw invalid();
				}
				return new Cursor(Instant.parse(decoded.substring(0, separator)),
						CanonicalUuid.parse(decoded.substring(separator + 1)));
			}
			catch (IllegalArgumentException | DateTimeParseException ex) {
				throw invalid();
			}
		}

		private static TaskValidationException invalid() {
			return TaskValidationException.of("cursor", "is not a cursor from a previous page of this list");
		}

	}

}
