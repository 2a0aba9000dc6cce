package com.pakaura.api.stream;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The {@code local} profile only: {@code /local/stream}, a page that shows the caller's
 * live stream, read with {@code fetch} so that the token travels in the
 * {@code Authorization} header. Nothing of this exists in any other profile.
 */
@Configuration(proxyBeanMethods = false)
@Profile("local")
class LocalStreamPage {

	static final String PATH = "/local/stream";

	@Bean
	RouterFunction<ServerResponse> localStreamPageRoute() {
		ClassPathResource page = new ClassPathResource("local/stream.html");
		return RouterFunctions.route()
			.GET(PATH, (request) -> ServerResponse.ok().contentType(MediaType.TEXT_HTML).bodyValue(page))
			.build();
	}

}
