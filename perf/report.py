"""The harness's table: medians over rounds, ratios to dapr-off (the baseline) and to the floor."""
import csv
import statistics
import sys
from collections import defaultdict
from pathlib import Path

out = Path(sys.argv[1])
rows = list(csv.DictReader(open(out / "results.csv")))
by = defaultdict(list)
for row in rows:
    by[(row["mode"], int(row["connections"]))].append(row)

# The machine's speed during each load, against its median over the run's loads: SpeedProbe's CPU
# time for fixed arithmetic (speed) and for loopback TCP round trips (net), so 0.50 is a load
# during which a core, or the kernel's network path, ran at half its usual speed (rounds from
# before the probe have no probe_*_us and show "-").
def measured(row, field):
    """Whether a row has the figure: rows from before its column lack it, and perf/run writes "-"
    for a load the probe has no sample of."""
    return row.get(field) not in (None, "", "-")


def relative(field, name, among, reference):
    """Sets row[name] for each of among: the median of field over reference, over its own field."""
    samples = [float(r[field]) for r in reference if measured(r, field)]
    for row in among:
        if samples and measured(row, field):
            row[name] = str(statistics.median(samples) / float(row[field]))


relative("probe_cpu_us", "speed", rows, rows)
relative("probe_net_us", "net", rows, rows)


def median(mode, connections, field):
    values = [float(r[field]) for r in by.get((mode, connections), [])]
    return statistics.median(values) if values else None


def spread(mode, connections, field, digits=0):
    """The rounds' lowest and highest value, as "low-high"; "-" where no round has it (steal_pct
    before 41aeed0)."""
    values = [float(r[field]) for r in by.get((mode, connections), []) if r.get(field)]
    return "%.*f-%.*f" % (digits, min(values), digits, max(values)) if values else "-"


modes = list(dict.fromkeys(r["mode"] for r in rows))
connections = sorted({int(r["connections"]) for r in rows})
if rows:
    print("Throughput and latency (median of %d round(s)); ratios to dapr-off and to the floor of the same run"
      % max(int(r["round"]) for r in rows))
    print("%-20s %5s %9s %11s %8s %8s %8s %8s %8s %8s %9s %8s %8s %7s %7s %7s %7s %7s %9s %9s" % ("mode", "conns", "req/s",
          "rounds", "x base", "x floor", "p50 ms", "p99 ms", "p99.9", "+p99 ms", "CPU ms/r", "sc ms/r", "db ms/r",
          "sc r/ev", "RSS MB", "ready", "warm s", "steal%", "speed", "net"))
    for mode in modes:
        for c in connections:
            rps = median(mode, c, "requests_per_s")
            if rps is None:
                continue
            base = median("dapr-off", c, "requests_per_s")
            floor = median("floor", c, "requests_per_s")
            p99 = median(mode, c, "p99_ms")
            base_p99 = median("dapr-off", c, "p99_ms")
            per_event = median(mode, c, "sidecar_requests_per_event") if by[(mode, c)][0].get(
                "sidecar_requests_per_event") else None
            print("%-20s %5d %9.1f %11s %8s %8s %8.2f %8.2f %8.2f %8s %9.2f %8.2f %8.2f %7s %7d %7.1f %7.0f %7s %9s %9s" % (
                mode, c, rps, spread(mode, c, "requests_per_s"),
                "%.2f" % (rps / base) if base else "-",
                "%.2f" % (rps / floor) if floor else "-",
                median(mode, c, "p50_ms"), p99, median(mode, c, "p999_ms"),
                "%+.2f" % (p99 - base_p99) if base_p99 is not None and mode != "floor" else "-",
                median(mode, c, "cpu_ms_per_request"), median(mode, c, "sidecar_cpu_ms_per_request"),
                median(mode, c, "db_cpu_ms_per_request"),
                "%.3f" % per_event if per_event and mode not in ("floor", "dapr-off") else "-",
                median(mode, c, "rss_mb"), median(mode, c, "ready_s"), median(mode, c, "warmup_s"),
                spread(mode, c, "steal_pct"), spread(mode, c, "speed", 2), spread(mode, c, "net", 2)))

    # A round runs every mode back to back, rotated, so a mode's round and dapr-off's of the same
    # round saw nearly the same machine; the ratio of the medians above mixes rounds minutes apart,
    # between which this machine's speed has moved 2x (research.md R23).
    rounds = sorted({int(r["round"]) for r in rows})
    if len(rounds) > 1 and any(m not in ("floor", "dapr-off") for m in modes):
        print("Paired by round: each round's figure against dapr-off's in the same round; median, then round by round")
        print("%-20s %5s %8s %-26s %8s %-26s %s" % ("mode", "conns", "x base", "rounds", "+p99 ms", "rounds",
              "speed, net against dapr-off's"))
        for mode in modes:
            for c in connections:
                if mode in ("floor", "dapr-off"):
                    continue
                ours = {int(r["round"]): r for r in by.get((mode, c), [])}
                base = {int(r["round"]): r for r in by.get(("dapr-off", c), [])}
                both = [n for n in rounds if n in ours and n in base]
                if not both:
                    continue
                ratios = [float(ours[n]["requests_per_s"]) / float(base[n]["requests_per_s"]) for n in both]
                added = [float(ours[n]["p99_ms"]) - float(base[n]["p99_ms"]) for n in both]
                # where the machine ran at another speed for one of the pair, its ratio says so
                def pair(n, field):
                    return ("%.2f" % (float(ours[n][field]) / float(base[n][field]))
                            if ours[n].get(field) and base[n].get(field) else "-")
                speeds = ["%s,%s" % (pair(n, "speed"), pair(n, "net")) for n in both]
                print("%-20s %5d %8.2f %-26s %+8.2f %-26s %s" % (mode, c, statistics.median(ratios),
                      " ".join("%.2f" % x for x in ratios), statistics.median(added),
                      " ".join("%+.1f" % x for x in added), " ".join(speeds)))


shares = [(mode, c, [float(r["delivered_share"]) for r in by[(mode, c)] if r.get("delivered_share")])
          for mode in modes for c in connections]
shares = [(mode, c, values) for mode, c, values in shares if values]
if shares:
    print()
    print("Delivered by the end of each saturated load: the sidecar's events over those committed so far (median of"
          " rounds, and the rounds' lowest)")
    for mode, c, values in shares:
        print("  %-20s %3d connections: %.3f (lowest %.3f)" % (mode, c, statistics.median(values), min(values)))

threads = out / "threads.csv"
if threads.exists():
    per_thread = defaultdict(list)
    for row in csv.DictReader(open(threads)):
        per_thread[(row["mode"], int(row["connections"]), row["thread"])].append(float(row["cpu_ms_per_request"]))
    thread_modes = [m for m in modes if any(k[0] == m for k in per_thread)]
    for c in connections:
        names = sorted({k[2] for k in per_thread if k[1] == c},
                       key=lambda n: -max(statistics.median(per_thread.get((m, c, n), [0])) for m in thread_modes))
        if not names:
            continue
        print()
        print("The service's CPU per request by thread at %d connections, ms (median of rounds; from /proc, so GC and"
              " JIT threads count)" % c)
        # as wide as the longest mode's name (dapr-off@baseline), with a space between columns
        width = max(15, *(len(m) + 1 for m in thread_modes))
        print("%-26s" % "thread" + "".join("%*s" % (width, m) for m in thread_modes))
        for name in names[:14]:
            print("%-26s" % name[:26] + "".join(
                "%*.3f" % (width, statistics.median(per_thread.get((m, c, name), [0]))) for m in thread_modes))


latency = out / "latency.csv"
if latency.exists():
    samples = defaultdict(list)
    for row in csv.DictReader(open(latency)):
        samples[row["mode"]].append(row)
    if samples:
        def median_of(mode, field):
            return statistics.median(float(r[field]) for r in samples[mode])
        print()
        print("Latency at a fixed rate (an open loop: latency counts from when a request was due), median of rounds")
        print("(after the service, its sidecar and PostgreSQL settled, and a lead-in at the rate until the service's JIT"
              " settled; the service's CPU ms per request over the recorded seconds)")
        width = max(9, *(len(m) for m in samples))
        print("%-*s %7s %8s %8s %8s %8s %7s %9s %9s %8s" % (width, "mode", "req/s", "p50 ms", "p99 ms", "p99.9", "+p99 ms",
                                                          "errors", "settled s", "lead-in s", "CPU ms"))
        for mode in samples:
            p99 = median_of(mode, "p99_ms")
            base = median_of("dapr-off", "p99_ms") if "dapr-off" in samples else None
            print("%-*s %7s %8.2f %8.2f %8.2f %8s %7d %9.0f %9.0f %8.2f" % (width, mode, samples[mode][0]["rate"],
                  median_of(mode, "p50_ms"), p99, median_of(mode, "p999_ms"),
                  "%+.2f" % (p99 - base) if base is not None and mode not in ("floor", "dapr-off") else "-",
                  sum(int(r["errors"]) for r in samples[mode]), median_of(mode, "settled_s"),
                  median_of(mode, "lead_in_s"), median_of(mode, "cpu_ms_per_request")))
        print("p99 ms by round: " + "; ".join("%s %s" % (mode, ", ".join(r["p99_ms"] for r in samples[mode]))
                                              for mode in samples))
        fixed = [r for mode in samples for r in samples[mode]]
        relative("probe_cpu_us", "speed", fixed, rows)
        if any(r.get("speed") for r in fixed):
            print("speed by round (against the saturated loads' median): " + "; ".join("%s %s" % (mode, ", ".join(
                "%.2f" % float(r["speed"]) if r.get("speed") else "-" for r in samples[mode])) for mode in samples))

keepup = out / "keepup.csv"
if keepup.exists():
    for row in csv.DictReader(open(keepup)):
        print()
        print("Keep-up: the outbox at a fixed %s requests/s (PERF_KEEPUP_RATE, or 80%% of dapr-off's saturated throughput)"
              " for %s s"
              % (row["rate"], row["seconds"]))
        print("  API p50 %s ms, p99 %s ms, p99.9 %s ms, %s errors of %s; commit-to-sidecar lag p50 <= %s s, p99 <= %s s"
              " (bucket bounds, %s events); %s events committed, %s delivered, %s pending at the end (%s s of the"
              " load's events); %s duplicates, %s out of order"
              % (row["p50_ms"], row["p99_ms"], row["p999_ms"], row["errors"], row["due"], row["lag_p50_le_s"],
                 row["lag_p99_le_s"], row["lag_recorded"], row["committed_events"], row["delivered"],
                 row["pending_at_end"], row["pending_s_of_load"], row["duplicates"], row["out_of_order"]))

publisher = out / "publisher.csv"
if publisher.exists():
    for row in csv.DictReader(open(publisher)):
        print()
        print("Publish path alone (JMH, PublishPathBenchmark): %s events/s (+- %s), %s bytes allocated per event,"
              " %s sidecar requests for %s events;"
              % (row["events_per_s"], row["error"], row["bytes_per_event"], row.get("sidecar_requests", "?"),
                 row["delivered"]))
        print("  %s events handed over, %s delivered, %s duplicates, %s out of order; binder outcomes %s"
              % (row["handed_over"], row["delivered"], row["duplicates"], row["out_of_order"], row["binder_outcomes"]))

relay = out / "relay.csv"
if relay.exists():
    rounds = list(csv.DictReader(open(relay)))
    warm = [r for r in rounds if r["jvm"] == "warm"]
    if rounds:
        print()
        print("Outbox relay alone (events already in the table, no API load, fast sidecar on the 1.18 routes),"
              " one JVM: a cold drain as it starts, then rounds each committed in one transaction, warm once the JIT's"
              " compilers take under 10% of the service's CPU")
        if warm:
            rates = sorted(float(r["events_per_s"]) for r in warm)
            print("  warm: median %.0f events/s (%.0f-%.0f over %d rounds)"
                  % (statistics.median(rates), rates[0], rates[-1], len(rates)))
        for r in rounds:
            print("  %s round %s: %s of %s events in %s s, %s events/s, %s left, %s ms CPU per event (PostgreSQL %s,"
                  " sidecar %s), JIT compilers %s of the service's CPU; sidecar %s requests, %s delivered,"
                  " %s duplicates, %s out of order"
                  % (r["jvm"], r["round"], int(r["pending_at_start"]) - int(r["pending_at_end"]), r["events"],
                     r["seconds"], r["events_per_s"], r["pending_at_end"], r["cpu_ms_per_event"],
                     r["db_cpu_ms_per_event"], r["sidecar_cpu_ms_per_event"], r["compiler_cpu_share"],
                     r["sidecar_requests"], r["delivered"], r["duplicates"], r["out_of_order"]))

accounting = out / "accounting.csv"
if accounting.exists():
    print()
    print("Event accounting (each create publishes 2 events); counted_* are the service's own counters")
    lines = list(csv.reader(open(accounting)))
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    for line in lines:
        print("  ".join(value.rjust(widths[i]) for i, value in enumerate(line)))

curve = out / "warmup-curve.csv"
if curve.exists():
    points = list(csv.DictReader(open(curve)))
    if points:
        rates = [float(p["requests_per_s"]) for p in points]
        steady = statistics.mean(rates[-3:])
        reached = next((int(p["window"]) * 10 for p, r in zip(points, rates) if r >= 0.9 * steady), None)
        print()
        print("Warm-up of %s from a cold start: ready in %s s; req/s per 10 s window at 16 connections:"
              % (points[0]["mode"], points[0]["ready_s"]))
        print("  " + " ".join("%.0f" % r for r in rates))
        print("  90%% of steady state (%.0f req/s, the last three windows) within %s s of load"
              % (steady, reached))
