package com.pakaura.api.web;

import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

import org.springframework.boot.http.codec.CodecCustomizer;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Strict JSON input: a number or boolean where text is expected is a type error, not
 * text. Left lenient, {@code {"title": 123}} would create a task titled "123". A field
 * given twice ({@code {"title":"a","title":"b"}}) is refused rather than silently taking
 * the last value. (Unknown fields are refused through
 * {@code spring.jackson.deserialization.fail-on-unknown-properties}.) A body that is not
 * valid UTF-8 is refused before it is read ({@link StrictUtf8JsonDecoder}).
 */
@Configuration(proxyBeanMethods = false)
class JsonConfiguration {

	/** After Boot's own codec customizer, which registers the lenient decoder. */
	@Bean
	@Order(Ordered.LOWEST_PRECEDENCE)
	CodecCustomizer strictUtf8JsonBodies(JsonMapper mapper) {
		return (codecs) -> codecs.defaultCodecs().jacksonJsonDecoder(new StrictUtf8JsonDecoder(mapper));
	}

	@Bean
	JsonMapperBuilderCustomizer strictScalarCoercion() {
		return (builder) -> builder.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
			.withCoercionConfig(LogicalType.Textual,
					(textual) -> textual.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
						.setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
						.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
	}

}
