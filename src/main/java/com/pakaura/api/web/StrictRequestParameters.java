package com.pakaura.api.web;

import java.beans.PropertyEditorSupport;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.InitBinder;

import com.pakaura.api.task.CanonicalUuid;

/**
 * Path variables and query parameters read as strictly as JSON bodies: a task id only in
 * its canonical form, numbers only in decimal (Spring would read {@code 0x10} as 16),
 * booleans only as {@code true} or {@code false} (Spring would also take {@code 1},
 * {@code yes}, {@code on}). A value that does not fit is a 400 naming the parameter.
 *
 * <p>
 * Property editors rather than converters: when a converter refuses a value, Spring's
 * type conversion falls back to its lenient default editors, while a custom editor has
 * the last word.
 */
@ControllerAdvice
class StrictRequestParameters {

	private static final Pattern DECIMAL = Pattern.compile("[+-]?[0-9]{1,10}");

	@InitBinder
	void strictParameters(WebDataBinder binder) {
		binder.registerCustomEditor(UUID.class, new StrictEditor(CanonicalUuid::parse));
		binder.registerCustomEditor(Integer.class, new StrictEditor(StrictRequestParameters::decimal));
		binder.registerCustomEditor(int.class, new StrictEditor(StrictRequestParameters::decimal));
		binder.registerCustomEditor(Boolean.class, new StrictEditor(StrictRequestParameters::trueOrFalse));
		binder.registerCustomEditor(boolean.class, new StrictEditor(StrictRequestParameters::trueOrFalse));
	}

	private static Integer decimal(String text) {
		if (!DECIMAL.matcher(text).matches()) {
			throw new IllegalArgumentException("Not a decimal whole number");
		}
		return Integer.valueOf(text);
	}

	private static Boolean trueOrFalse(String text) {
		return switch (text) {
			case "true" -> Boolean.TRUE;
			case "false" -> Boolean.FALSE;
			default -> throw new IllegalArgumentException("Neither true nor false");
		};
	}

	/**
	 * Reads text with one parse function, which throws {@link IllegalArgumentException}
	 * for what it refuses.
	 */
	private static final class StrictEditor extends PropertyEditorSupport {

		private final Function<String, Object> parse;

		StrictEditor(Function<String, Object> parse) {
			this.parse = parse;
		}

		@Override
		public void setAsText(String text) {
			setValue(this.parse.apply(text));
		}

	}

}
