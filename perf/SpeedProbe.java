import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.SplittableRandom;

/**
 * How fast this machine's cores run, sampled all through a perf/run: every second the same
 * fixed work, timed by this thread's own CPU time, so that waiting for a core does not count
 * (that is the load's doing) and the core's speed does. On this machine the same code's
 * figures moved 2x between loads minutes apart with the hypervisor's steal at 0 (research.md
 * R23, R24): a host that clocks down or puts another guest on the core's hyperthread sibling
 * is not steal.
 *
 * Three parts, timed apart: arithmetic in registers (the core's clock and its sibling); a
 * walk of 32 MB in an order no prefetcher guesses (memory and the shared cache, which the
 * load under test also uses, so this one moves with the load too); and round trips of a
 * byte over a loopback TCP connection, the kernel's network path that every request, its
 * statements and its sidecar calls take (user and system time both count). About 10 ms of
 * CPU a second.
 *
 * java -XX:TieredStopAtLevel=1 -cp <classes> SpeedProbe <csv-file>: one line a second,
 * "epoch_ms,arithmetic_us,walk_us,loopback_us", appended, until killed.
 */
public class SpeedProbe {

	private static final int XORSHIFTS = 1_000_000;

	private static final int STEPS = 15_000;

	private static final int ROUND_TRIPS = 200;

	public static void main(String[] args) throws Exception {
		int[] next = cycle(1 << 23, new SplittableRandom(42));
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
				SocketChannel a = SocketChannel.open(server.getLocalAddress());
				SocketChannel b = server.accept();
				PrintStream out = new PrintStream(new FileOutputStream(args[0], true), true)) {
			a.setOption(StandardSocketOptions.TCP_NODELAY, true);
			b.setOption(StandardSocketOptions.TCP_NODELAY, true);
			ByteBuffer buffer = ByteBuffer.allocateDirect(1);
			long sink = 0;
			// compiled before the first sample
			for (int i = 0; i < 30; i++) {
				sink += arithmetic(i) + walk(next, i) + loopback(a, b, buffer);
			}
			for (int sample = 0;; sample++) {
				long t0 = threads.getCurrentThreadCpuTime();
				sink += arithmetic(sample);
				long t1 = threads.getCurrentThreadCpuTime();
				sink += walk(next, sample);
				long t2 = threads.getCurrentThreadCpuTime();
				sink += loopback(a, b, buffer);
				long t3 = threads.getCurrentThreadCpuTime();
				out.println(System.currentTimeMillis() + "," + (t1 - t0) / 1000 + "," + (t2 - t1) / 1000 + ","
						+ (t3 - t2) / 1000 + ((sink == 42) ? " " : ""));
				Thread.sleep(1000);
			}
		}
	}

	/** A byte there and back over the connection, ROUND_TRIPS times, on this one thread. */
	private static long loopback(SocketChannel a, SocketChannel b, ByteBuffer buffer) throws Exception {
		long bytes = 0;
		for (int i = 0; i < ROUND_TRIPS; i++) {
			bytes += move(a, b, buffer) + move(b, a, buffer);
		}
		return bytes;
	}

	private static int move(SocketChannel from, SocketChannel to, ByteBuffer buffer) throws Exception {
		buffer.clear().put((byte) 1).flip();
		from.write(buffer);
		buffer.clear();
		return to.read(buffer);
	}

	/** Sattolo's shuffle: a single cycle through every index, so a walk never repeats early. */
	private static int[] cycle(int length, SplittableRandom random) {
		int[] next = new int[length];
		for (int i = 0; i < length; i++) {
			next[i] = i;
		}
		for (int i = length - 1; i > 0; i--) {
			int j = random.nextInt(i);
			int swap = next[i];
			next[i] = next[j];
			next[j] = swap;
		}
		return next;
	}

	private static long arithmetic(long seed) {
		long x = 88172645463325252L + seed;
		for (int i = 0; i < XORSHIFTS; i++) {
			x ^= x << 13;
			x ^= x >>> 7;
			x ^= x << 17;
		}
		return x;
	}

	/** Each load depends on the one before: the memory's latency, not its bandwidth. */
	private static long walk(int[] next, int start) {
		int at = start & (next.length - 1);
		for (int i = 0; i < STEPS; i++) {
			at = next[at];
		}
		return at;
	}

}
