import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.Connection;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The reference floor: what this machine can do for {@code POST /api/tasks}'s database
 * work with nothing around it. Reactor Netty, r2dbc-postgresql and r2dbc-pool only: read
 * the body, INSERT one row, a statement that commits on its own as the service's create
 * does (TaskService), answer 201 with a small JSON. No
 * security, validation, observation or events; every figure of the service can be read as
 * a fraction of this one.
 * <p>
 * {@code java -cp <dependencies> perf/FloorServer.java <port> <database> [pool-size]}
 */
public final class FloorServer {

	private FloorServer() {
	}

	public static void main(String[] args) {
		int port = Integer.parseInt(args[0]);
		ConnectionPool pool = new ConnectionPool(ConnectionPoolConfiguration
			.builder(new PostgresqlConnectionFactory(PostgresqlConnectionConfiguration.builder()
				.host("127.0.0.1")
				.port(5432)
				.username("postgres")
				.database(args[1])
				.build()))
			.initialSize(10)
			.maxSize((args.length > 2) ? Integer.parseInt(args[2]) : 10)
			.build());
		Mono.usingWhen(pool.create(), (connection) -> Mono.from(connection.createStatement("""
				CREATE TABLE IF NOT EXISTS floor_tasks (id uuid PRIMARY KEY, user_id varchar(255) NOT NULL,
				  body text NOT NULL, version bigint NOT NULL, created_at timestamptz NOT NULL)""").execute()),
				Connection::close)
			.block();
		DisposableServer server = HttpServer.create()
			.host("127.0.0.1")
			.port(port)
			.route((routes) -> routes.post("/api/tasks",
					(request, response) -> request.receive()
						.aggregate()
						.asString(StandardCharsets.UTF_8)
						.flatMap((body) -> insert(pool, body))
						.flatMap((id) -> response.status(201)
							.header("Content-Type", "application/json")
							.sendString(Mono.just("{\"id\":\"" + id + "\"}"))
							.then())))
			.bindNow();
		System.out.println("FloorServer listening on " + server.port());
		server.onDispose().block();
	}

	private static Mono<UUID> insert(ConnectionPool pool, String body) {
		UUID id = UUID.randomUUID();
		return Mono.usingWhen(pool.create(), (connection) -> Flux.from(connection
			.createStatement("INSERT INTO floor_tasks (id, user_id, body, version, created_at)"
					+ " VALUES ($1, $2, $3, 1, $4)")
			.bind(0, id)
			.bind(1, "perf-user")
			.bind(2, body)
			.bind(3, Instant.now())
			.execute()).flatMap((result) -> result.getRowsUpdated()).then().thenReturn(id), Connection::close);
	}

}
