"""Where a JFR recording's CPU samples went: by thread, by layer, and the hottest frames.

python3 perf/profile.py <recording.jfr> [jfr-tool] [requests recorded]

Then where the heap was allocated (the new TLABs and the objects allocated outside one, by
their bytes, where the recording has them; else jdk.ObjectAllocationSample's weights): by layer, by the first frame that is not the JDK's, and by class; per
request where the number of requests in the recording is given.

A sample is charged to a layer by the first frame from the top that is not the JDK's own
(java.*, jdk.*, sun.*): a HashMap lookup made by Spring Security counts as Spring Security.
The frame table is by self time (the top frame), as a profiler shows it.
"""
import collections
import json
import re
import subprocess
import sys

LAYERS = [  # first match wins: (package prefix, layer)
    ("com.pakaura.binder.", "dapr binder"),
    ("com.pakaura.api.events.", "app: events (publisher, outbox)"),
    ("com.pakaura.api.", "app: other"),
    ("org.springframework.security.", "Spring Security"),
    ("com.nimbusds.", "JWT (Nimbus)"),
    ("org.springframework.cloud.stream.", "Spring Cloud Stream"),
    ("org.springframework.integration.", "Spring Integration"),
    ("org.springframework.messaging.", "Spring Messaging"),
    ("org.springframework.web.reactive.function.client.", "WebClient"),
    ("org.springframework.web.", "Spring WebFlux"),
    ("org.springframework.http.", "Spring WebFlux"),
    ("org.springframework.r2dbc.", "R2DBC (Spring)"),
    ("org.springframework.data.", "R2DBC (Spring)"),
    ("org.springframework.transaction.", "transactions"),
    ("org.springframework.validation.", "validation"),
    ("org.hibernate.validator.", "validation"),
    ("org.springframework.", "Spring (other)"),
    ("io.r2dbc.", "R2DBC driver and pool"),
    ("io.netty.", "Netty"),
    ("reactor.netty.", "Reactor Netty"),
    ("reactor.", "Reactor"),
    ("io.micrometer.tracing.", "tracing"),
    ("io.opentelemetry.", "tracing"),
    ("io.micrometer.", "metrics and observations"),
    ("io.prometheus.", "metrics and observations"),
    ("tools.jackson.", "JSON (Jackson)"),
    ("com.fasterxml.jackson.", "JSON (Jackson)"),
    ("io.cloudevents.", "CloudEvents SDK"),
    ("ch.qos.logback.", "logging"),
    ("org.slf4j.", "logging"),
    ("io.modelcontextprotocol.", "MCP"),
]

JDK = ("java.", "jdk.", "sun.", "javax.")


def first_own(frames):
    """The first frame from the top that is not the JDK's; None if all of them are."""
    return next((frame for frame in frames if not frame_class(frame).startswith(JDK)), None)


def layer_of(frames):
    frame = first_own(frames)
    if frame is None:
        return "JDK only (in the 64 frames kept; GC, JIT and VM threads are not sampled)"
    name = frame_class(frame)
    for prefix, layer in LAYERS:
        if name.startswith(prefix):
            return layer
    return "other: " + ".".join(name.split(".")[:2])


def frame_class(frame):
    return frame["method"]["type"]["name"].replace("/", ".")


def frame_name(frame):
    return frame_class(frame) + "." + frame["method"]["name"]


def thread_group(name):
    return re.sub(r"[-#_ ]?\d+$", "", name or "?")


def main():
    recording = sys.argv[1]
    tool = sys.argv[2] if len(sys.argv) > 2 else "jfr"
    # jfr print keeps 5 frames of each stack unless told: too few to find the first frame
    # that is not the JDK's under a HashMap or a lock
    out = subprocess.run([tool, "print", "--json", "--stack-depth", "64", "--events", "jdk.ExecutionSample",
                          recording],
                         check=True, capture_output=True, text=True).stdout
    events = json.loads(out)["recording"]["events"]
    threads = collections.Counter()
    layers = collections.Counter()
    layers_by_thread = collections.defaultdict(collections.Counter)
    selfs = collections.Counter()
    for event in events:
        values = event["values"]
        thread = thread_group((values.get("sampledThread") or {}).get("javaName"))
        frames = (values.get("stackTrace") or {}).get("frames") or []
        if not frames:
            continue
        threads[thread] += 1
        layer = layer_of(frames)
        layers[layer] += 1
        layers_by_thread[thread][layer] += 1
        selfs[frame_name(frames[0])] += 1
    total = sum(threads.values()) or 1
    print("%d CPU samples (jdk.ExecutionSample) in %s" % (total, recording))
    print()
    print("By thread:")
    for thread, n in threads.most_common(12):
        print("  %5.1f%%  %s" % (100.0 * n / total, thread))
    print()
    print("By layer (the first frame from the top that is not the JDK's):")
    for layer, n in layers.most_common():
        print("  %5.1f%%  %s" % (100.0 * n / total, layer))
    print()
    for thread, n in threads.most_common(4):
        print("Layers of %s (%.1f%% of all):" % (thread, 100.0 * n / total))
        for layer, m in layers_by_thread[thread].most_common(8):
            print("  %5.1f%%  %s" % (100.0 * m / total, layer))
    print()
    print("Top 25 frames by self time:")
    for frame, n in selfs.most_common(25):
        print("  %5.1f%%  %s" % (100.0 * n / total, frame))
    allocations(recording, tool, int(sys.argv[3]) if len(sys.argv) > 3 else 0)


# The bytes an allocation event stands for. Where the recording has the TLAB events
# (perf/run's profiles of the modes enable them), each new TLAB (its size) and each object
# allocated outside one (its size) add up to the heap allocated, each charged to the stack
# that asked for it, which was meant as a sample proportional to bytes (as async-profiler's
# alloc mode takes it). The total is trusted, the split by site not yet: in one recording a
# 56-byte object made once per request asked for far more TLABs than its bytes explain
# (research.md R22). jdk.ObjectAllocationSample's throttled weights added up to 5.7 times
# what the GC log counted (R21), so they are the fallback only.
BYTES = {"jdk.ObjectAllocationInNewTLAB": "tlabSize", "jdk.ObjectAllocationOutsideTLAB": "allocationSize",
         "jdk.ObjectAllocationSample": "weight"}
UNITS = {"bytes": 1, "byte": 1, "kB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3}
FRAME = re.compile(r"^\s+([\w$.<>/]+)\.([\w$<>]+)\(")


def allocation_events(recording, tool):
    """Streams the events from jfr print's text, one at a time: 50,000 TLAB events of 64
    frames each as JSON took more than the machine's 24 GB to load."""
    for names in ("jdk.ObjectAllocationInNewTLAB,jdk.ObjectAllocationOutsideTLAB", "jdk.ObjectAllocationSample"):
        found = False
        for event in parse_events(recording, tool, names):
            found = True
            yield event, names
        if found:
            return


def parse_events(recording, tool, names):
    printed = subprocess.Popen([tool, "print", "--stack-depth", "64", "--events", names, recording],
                               stdout=subprocess.PIPE, text=True)
    event = None
    for line in printed.stdout:
        if event is None:
            if line.rstrip().endswith("{") and not line.startswith(" "):
                event = {"type": line.split()[0], "frames": []}
            continue
        if line.startswith("}"):
            yield event
            event = None
            continue
        frame = FRAME.match(line)
        if frame and "=" not in line:
            event["frames"].append({"method": {"type": {"name": frame.group(1)}, "name": frame.group(2)}})
            continue
        key, _, value = line.strip().partition(" = ")
        if key in ("tlabSize", "allocationSize", "weight"):
            number, _, unit = value.partition(" ")
            event[key] = float(number.replace(",", "")) * UNITS.get(unit, 1)
        elif key == "objectClass":
            event["objectClass"] = value.split(" (")[0]
        elif key == "eventThread":
            event["eventThread"] = value.split('"')[1] if '"' in value else value
    printed.wait()


def allocations(recording, tool, requests):
    layers = collections.Counter()
    owners = collections.Counter()
    classes = collections.Counter()
    threads = collections.Counter()
    names = "no allocation events"
    for event, names in allocation_events(recording, tool):
        weight = event.get(BYTES.get(event["type"], "weight")) or 0
        frames = event["frames"]
        layers[layer_of(frames)] += weight
        own = first_own(frames)
        owners[frame_name(own) if own is not None else "JDK only"] += weight
        classes[event.get("objectClass", "?")] += weight
        threads[thread_group(event.get("eventThread"))] += weight
    total = sum(layers.values()) or 1
    per = ("; %.1f KB per request over %d requests" % (total / 1024.0 / requests, requests)) if requests else ""
    print()
    print("Allocated (%s): %.1f MB%s" % (names, total / 1048576.0, per))
    for title, counter, n in (("By thread:", threads, 8), ("By layer (the first frame that is not the JDK's):", layers, 20),
                              ("Top 25 allocating frames (the first that is not the JDK's):", owners, 25),
                              ("Top 12 classes:", classes, 12)):
        print()
        print(title)
        for key, weight in counter.most_common(n):
            kb = (" %8.1f KB/req" % (weight / 1024.0 / requests)) if requests else ""
            print("  %5.1f%%%s  %s" % (100.0 * weight / total, kb, key))


if __name__ == "__main__":
    main()
