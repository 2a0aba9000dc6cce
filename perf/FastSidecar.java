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
 * It answers {@code GET /v1.0/metadata} as the daprd version it is told to be, and serves the
 * bulk route that version has ({@code /v1.0/publish/bulk} from 1.17, {@code /v1.0-alpha1/publish/bulk}
 * on 1.16, none for {@code single}); it reads each entry of a bulk request (a JSON array of
 * {@code entryId}, {@code event}, {@code contentType}, {@code metadata}) by scanning its bytes, as
 * it does a single publish's body, and answers 204.
 * <p>
 * {@code java -cp <dependencies> perf/FastSidecar.java <port> [delay-ms] [1.16|1.17|1.18|single]};
 * {@code GET /stats} answers {@code requests,delivered,duplicates,out_of_order}.
 */
public final class FastSidecar {

	private static final byte[] ID_FIELD = "\"id\":\"".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] SEQUENCE_FIELD = "\"sequence\":\"".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] ENTRY_FIELD = "{\"entryId\":\"".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] PARTITION_KEY_FIELD = "\"partitionKey\":\"".getBytes(StandardCharsets.US_ASCII);

	private FastSidecar() {
	}

	public static void main(String[] args) {
		int port = Integer.parseInt(args[0]);
		Duration delay = Duration.ofMillis((args.length > 1) ? Long.parseLong(args[1]) : 0);
		String version = (args.length > 2) ? args[2] : "1.18";
		String runtimeVersion = switch (version) {
			case "1.16" -> "1.16.19";
			case "1.17" -> "1.17.13";
			case "single" -> "1.16.19";
			default -> "1.18.3";
		};
		String bulkRoute = switch (version) {
			case "1.16" -> "/v1.0-alpha1/publish/bulk/{pubsub}/{topic}";
			case "single" -> "/no-bulk-route";
			default -> "/v1.0/publish/bulk/{pubsub}/{topic}";
		};
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
				.get("/v1.0/metadata",
						(request, response) -> response.header("Content-Type", "application/json")
							.sendString(Mono.just("{\"id\":\"pakaura-api\",\"runtimeVersion\":\"" + runtimeVersion
									+ "\",\"components\":[{\"name\":\"pubsub-kafka\",\"type\":\"pubsub.kafka\","
									+ "\"version\":\"v1\",\"capabilities\":[\"BULK_PUBSUB\"]}]}")))
				.post(bulkRoute, (request, response) -> request.receive().aggregate().asByteArray().flatMap((body) -> {
					requests.incrementAndGet();
					// each entry as the binder writes it: {"entryId":..,"event":{..},..,"metadata":{"partitionKey":..}};
					// scanned like a single publish's body, not parsed, so that a bulk request costs this
					// sidecar no more per event than single publishes do
					int start = indexOf(body, ENTRY_FIELD, 0);
					while (start >= 0) {
						int next = indexOf(body, ENTRY_FIELD, start + 1);
						int end = (next < 0) ? body.length : next;
						byte[] entry = java.util.Arrays.copyOfRange(body, start, end);
						String key = field(entry, PARTITION_KEY_FIELD);
						check(entry, request.param("topic") + " " + ((key != null) ? key : ""), seen, duplicates,
								lastSequence, outOfOrder);
						start = next;
					}
					return delay.isZero() ? Mono.just(body) : Mono.delay(delay).thenReturn(body);
				}).then(response.status(204).send().then()))
				.post("/v1.0/publish/{pubsub}/{topic}",
						(request, response) -> request.receive().aggregate().asByteArray().flatMap((body) -> {
							requests.incrementAndGet();
							String key = request.param("topic") + " " + new QueryStringDecoder(request.uri()).parameters()
								.getOrDefault("metadata.partitionKey", List.of(""))
								.get(0);
							check(body, key, seen, duplicates, lastSequence, outOfOrder);
							return delay.isZero() ? Mono.just(body) : Mono.delay(delay).thenReturn(body);
						}).then(response.status(204).send().then())))
			.bindNow();
		System.out.println("FastSidecar listening on " + server.port() + " (delay " + delay.toMillis() + " ms)");
		server.onDispose().block();
	}

	/** Counts a duplicate by {@code id}, and an event whose {@code sequence} is not newer than its key's last. */
	static void check(byte[] event, String key, Set<String> seen, AtomicLong duplicates, Map<String, String> lastSequence,
			AtomicLong outOfOrder) {
		String id = field(event, ID_FIELD);
		if (id != null && !seen.add(id)) {
			duplicates.incrementAndGet();
		}
		// zero-padded to one width, so they compare as text
		String sequence = field(event, SEQUENCE_FIELD);
		if (sequence != null && !key.endsWith(" ")) {
			String before = lastSequence.put(key, sequence);
			if (before != null && before.compareTo(sequence) >= 0) {
				outOfOrder.incrementAndGet();
			}
		}
	}

	/** Where {@code name} first stands in {@code body} from {@code from}; -1 when nowhere. */
	static int indexOf(byte[] body, byte[] name, int from) {
		outer: for (int i = from; i + name.length <= body.length; i++) {
			for (int j = 0; j < name.length; j++) {
				if (body[i + j] != name[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
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
