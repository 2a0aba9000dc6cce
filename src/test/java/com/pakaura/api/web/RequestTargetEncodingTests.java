package com.pakaura.api.web;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** What the encoding does to a request target, as Netty read it (ISO-8859-1). */
class RequestTargetEncodingTests {

	@ParameterizedTest
	@ValueSource(strings = { "/api/tasks", "/api/tasks?completed=true&limit=5", "/api/tasks/a%20b?q=%C3%A9",
			"/api/tasks#top", "/api/tasks/\u00e9", "*" })
	void aTargetThatParsesIsLeftAsItCame(String target) {
		assertThat(RequestTargetEncoding.encoded(target)).isSameAs(target);
	}

	@ParameterizedTest
	@CsvSource(delimiter = ' ',
			value = { "/api/tasks/{id} /api/tasks/%7Bid%7D", "/a|b /a%7Cb", "/a%zz /a%25zz", "/a%2 /a%252",
					"/a#b#c /a#b%23c", "/x^y`z /x%5Ey%60z", "/[x] /%5Bx%5D", "/a\\b /a%5Cb", "/\u00e9\u0080 /%E9%80" })
	void aTargetThatDoesNotParseHasItsOffendingCharactersEncoded(String target, String expected) {
		assertThat(RequestTargetEncoding.encoded(target)).isEqualTo(expected);
	}

}
