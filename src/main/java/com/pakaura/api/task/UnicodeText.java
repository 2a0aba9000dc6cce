package com.pakaura.api.task;

/**
 * What counts as text for this service. Java strings (and JSON's {@code \\u} escapes) can
 * hold a lone UTF-16 surrogate, which is no character at all: PostgreSQL's UTF-8 would
 * store it as {@code ?}, so two different inputs would become one value. And "blank" is
 * decided by Unicode, not by ASCII: a title of no-break spaces or zero-width characters
 * shows nothing.
 */
public final class UnicodeText {

	private UnicodeText() {
	}

	/**
	 * Whether every UTF-16 surrogate in it is half of a pair, so it encodes as UTF-8
	 * unchanged.
	 */
	public static boolean isWellFormed(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
				i++;
			}
			else if (Character.isSurrogate(c)) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Whether it shows nothing: every character is white space (Unicode's, which includes
	 * no-break spaces), a format character (zero-width space and joiners, byte order
	 * mark) or another invisible filler.
	 */
	public static boolean isBlank(String text) {
		return text.codePoints().allMatch(UnicodeText::isInvisible);
	}

	/** Whether it has a control character (C0, DEL, C1), NUL included. */
	public static boolean hasControlCharacter(String text) {
		return text.codePoints().anyMatch((c) -> Character.getType(c) == Character.CONTROL);
	}

	private static boolean isInvisible(int c) {
		return Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.getType(c) == Character.FORMAT
				|| c == 0x115F || c == 0x1160 || c == 0x3164 || c == 0xFFA0 || c == 0x2800;
	}

}
