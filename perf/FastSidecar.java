import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The benchmark's Dapr sidecar: as fast as a sidecar can be, yet honest where it matters
 * to the figures. Like daprd it reads the whole body before it answers 204
 * ({@code pkg/api/http} reads the body into the publish request); it does nothing else:
 * no broker, no CloudEvent rewriting. It counts what arrives, and recognises a duplicate
 * by the CloudEvent {@code id}, so the harness can account for every event.
 * <p>
 * {@code java -cp <dependencies> perf/FastSidecar.java <port> [delay-ms]}; {@code GET /stats} answers
 * {@code requests,delivered,duplicates}.
 */
public final class FastSidecar {

	private static final byte[] ID_FIELD = "\"id\":\"".getBytes(StandardCharsets.US_ASCII);

	private FastSidecar() {
	}

	public static void main(String[] args) {
		int port = Integer.parseInt(args[0]);
		Duration delay = Duration.ofMillis((args.length > 1) ? Long.parseLong(args[1]) : 0);
		AtomicLong requests = new AtomicLong();
		AtomicLong duplicates = new AtomicLong();
		Set<String> seen = ConcurrentHashMap.newKeySet();
		DisposableServer server = HttpServer.create()
			.host("127.0.0.1")
			.port(port)
			.route((routes) -> routes.get("/v1.0/healthz/outbound", (request, response) -> response.status(204).send())
				.get("/stats",
						(request,
								response) -> response.sendString(Mono.fromSupplier(
										() -> requests.get() + "," + seen.size() + "," + duplicates.get() + "\n")))
				.post("/v1.0/publish/{pubsub}/{topic}",
						(request, response) -> request.receive().aggregate().asByteArray().flatMap((body) -> {
							requests.incrementAndGet();
							String id = eventId(body);
							if (id != null && !seen.add(id)) {
								duplicates.incrementAndGet();
							}
							return delay.isZero() ? Mono.just(body) : Mono.delay(delay).thenReturn(body);
						}).then(response.status(204).send().then())))
			.bindNow();
		System.out.println("FastSidecar listening on " + server.port() + " (delay " + delay.toMillis() + " ms)");
		server.onDispose().block();
	}

	/** The CloudEvent id: the first {@code "id":"..."} of the structured event. */
	static String eventId(byte[] body) {
		outer: for (int i = 0; i + ID_FIELD.length < body.length; i++) {
			for (int j = 0; j < ID_FIELD.length; j++) {
				if (body[i + j] != ID_FIELD[j]) {
					continue outer;
				}
			}
			int start = i + ID_FIELD.length;
			int end = start;
			while (end < body.length && body[end] != '"') {
				end++;
			}
			return new String(body, start, end - start, StandardCharsets.US_ASCII);
		}
		return null;
	}

}
