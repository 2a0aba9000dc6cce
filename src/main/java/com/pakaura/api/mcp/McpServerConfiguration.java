package com.pakaura.api.mcp;

import java.util.HashMap;
import java.util.Map;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpStatelessAsyncServer;
import io.modelcontextprotocol.spec.McpSchema.ServerCapabilities;

import org.springframework.ai.mcp.server.webflux.transport.WebFluxStatelessServerTransport;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.pakaura.api.correlation.CorrelationId;
import com.pakaura.api.web.AuthenticatedCaller;
import com.pakaura.api.web.ProtectedResourceMetadata;

/**
 * The MCP server at {@code /mcp}: Streamable HTTP in its stateless form, so that any
 * replica can answer any call (no session to pin to a pod). It sits behind the same
 * bearer-token security as {@code /api}; each call's caller and correlation id are taken
 * from the HTTP request, and its trace is the request's.
 */
@Configuration(proxyBeanMethods = false)
class McpServerConfiguration {

	static final String ENDPOINT = ProtectedResourceMetadata.MCP_PATH;

	@Bean
	WebFluxStatelessServerTransport mcpTransport() {
		return WebFluxStatelessServerTransport.builder()
			.jsonMapper(mcpJsonMapper())
			.messageEndpoint(ENDPOINT)
			.contextExtractor((request) -> {
				Map<String, Object> context = new HashMap<>();
				AuthenticatedCaller.of(request.exchange())
					.ifPresent((caller) -> context.put(TaskTools.CALLER, caller.userId()));
				CorrelationId correlationId = request.exchange().getAttribute(CorrelationId.CONTEXT_KEY);
				if (correlationId != null) {
					context.put(TaskTools.CORRELATION_ID, correlationId);
				}
				return McpTransportContext.create(context);
			})
			.build();
	}

	/**
	 * The transport's routes, behind a gate that answers malformed JSON-RPC as JSON-RPC
	 * errors.
	 */
	@Bean
	@SuppressWarnings("unchecked") // the transport's routes answer ServerResponse; its
									// signature does not say so
	RouterFunction<ServerResponse> mcpRoutes(WebFluxStatelessServerTransport transport) {
		return ((RouterFunction<ServerResponse>) transport.getRouterFunction()).filter(new JsonRpcGate());
	}

	@Bean(destroyMethod = "close")
	McpStatelessAsyncServer mcpServer(WebFluxStatelessServerTransport transport, TaskTools tools,
			ObjectProvider<BuildProperties> build) {
		McpJsonMapper json = mcpJsonMapper();
		return McpServer.async(transport)
			.serverInfo("pakaura-api", version(build))
			.instructions("Manages the signed-in user's tasks: add, list, update, complete, reopen and delete them.")
			.capabilities(ServerCapabilities.builder().tools(false).build())
			.jsonMapper(json)
			.tools(tools.specifications(json))
			.build();
	}

	/** The project's version, from the build (META-INF/build-info.properties). */
	private static String version(ObjectProvider<BuildProperties> build) {
		BuildProperties properties = build.getIfAvailable();
		return (properties != null && properties.getVersion() != null) ? properties.getVersion() : "development";
	}

	private static McpJsonMapper mcpJsonMapper() {
		return McpJsonDefaults.getMapper();
	}

}
