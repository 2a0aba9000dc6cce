package com.pakaura.api.web;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.ResolvableType;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.codec.json.JacksonJsonDecoder;
import org.springframework.util.MimeType;

/**
 * Jackson's JSON decoder behind a UTF-8 check: a body that is not valid UTF-8 (RFC 3629)
 * is refused before Jackson reads it. Jackson decodes an overlong sequence such as
 * {@code C0 AF} as the character it spells ({@code /}) instead of refusing it, so without
 * this a title could be stored as other text than the bytes a filter in front of the
 * service inspected. Java's UTF-8 decoder refuses overlong sequences, surrogates and
 * truncated sequences.
 */
final class StrictUtf8JsonDecoder extends JacksonJsonDecoder {

	static final String NOT_UTF8 = "The request body is not valid UTF-8";

	StrictUtf8JsonDecoder(JsonMapper mapper) {
		super(mapper);
	}

	@Override
	public Object decode(DataBuffer body, ResolvableType targetType, @Nullable MimeType mimeType,
			@Nullable Map<String, Object> hints) throws DecodingException {
		try {
			StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(body.toByteBuffer());
		}
		catch (CharacterCodingException ex) {
			DataBufferUtils.release(body);
			throw new DecodingException(NOT_UTF8, ex);
		}
		return super.decode(body, targetType, mimeType, hints);
	}

}
