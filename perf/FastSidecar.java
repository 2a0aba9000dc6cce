import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.handler.codec.http.QueryStringDecoder;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The benchmark's Dapr sidecar: as fast as a sidecar can be, yet honest where it matters
 * to the figures. Like daprd it reads the whole body before it answers 204
 * ({@code pkg/api/http} reads the body into the publish request); it does nothing else:
 * no broker, no CloudEvent rewriting. It counts what arrives, and recognises a duplicate
 * by the CloudEvent {@code id}, so the harness can account for every event. It also checks
 * the order the service promises: per topic and partition key (the task), each event's
 * {@code sequence} must be newer than the last one's.
 * <p>
 * {@code java -cp <dependencies> perf/FastSidecar.java <port> [delay-ms]}; {@code GET /stats} answers
 * {@code requests,delivered,duplicates,out_of_order}.
 */
public final class FastSidecar {

	private static final byte[] ID_FIELD = "\"id\":\"".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] SEQUENCE_FIELD = "\"sequence\":\"".getBytes(StandardCharsets.US_ASCII);

	private FastSidecar() {
	}

	public static void main(String[] args) {
		int port = Integer.parseInt(args[0]);
		Duration delay = Duration.ofMillis((args.length > 1) ? Long.parseLong(args[1]) : 0);
		AtomicLong requests = new AtomicLong();
		AtomicLong duplicates = new AtomicLong();
		AtomicLong outOfOrder = new AtomicLong();
		Set<String> seen = ConcurrentHashMap.newKeySet();
		Map<String, String> lastSequence = new ConcurrentHashMap<>();
		DisposableServer server = HttpServer.create()
			.host("127.0.0.1")
			.port(port)
			.route((routes) -> routes.get("/v1.0/healthz/outbound", (request, response) -> response.status(204).send())
				.get("/stats",
						(request,
								response) -> response.sendString(Mono.fromSupplier(
										() -> requests.get() + "," + seen.size() + "," + duplicates.get() + ","
												+ outOfOrder.get() + "\n")))
				.post("/v1.0/publish/{pubsub}/{topic}",
						(request, response) -> request.receive().aggregate().asByteArray().flatMap((body) -> {
							requests.incrementAndGet();
							String id = field(body, ID_FIELD);
							if (id != null && !seen.add(id)) {
								duplicates.incrementAndGet();
							}
							String key = request.param("topic") + " " + new QueryStringDecoder(request.uri()).parameters()
								.getOrDefault("metadata.partitionKey", List.of(""))
								.get(0);
							// zero-padded to one width, so they compare as text
							String sequence = field(body, SEQUENCE_FIELD);
							if (sequence != null && !key.endsWith(" ")) {
								String before = lastSequence.put(key, sequence);
								if (before != null && before.compareTo(sequence) >= 0) {
									outOfOrder.incrementAndGet();
								}
							}
							return delay.isZero() ? Mono.just(body) : Mono.delay(delay).thenReturn(body);
						}).then(response.status(204).send().then())))
			.bindNow();
		System.out.println("FastSidecar listening on " + server.port() + " (delay " + delay.toMillis() + " ms)");
		server.onDispose().block();
	}

	/**
	 * The first {@code "name":"..."} of the structured event: its {@code id} or
	 * {@code sequence} attribute (both come before the data).
	 */
	static String field(byte[] body, byte[] name) {
		outer: for (int i = 0; i + name.length < body.length; i++) {
			for (int j = 0; j < name.length; j++) {
				if (body[i + j] != name[j]) {
					continue outer;
				}
			}
			int start = i + name.length;
			int end = start;
			while (end < body.length && body[end] != '"') {
				end++;
			}
			return new String(body, start, end - start, StandardCharsets.US_ASCII);
		}
		return null;
	}

}
