#!/usr/bin/python3
"""Dask distributed on the workload of GridActors' dispatch and latency scenarios, for bench/peers.sh.

    /usr/bin/python3 bench/peers.py [ITEMS [ROUNDTRIPS]]    (defaults 100000 and 500)
    BENCH_QUICK=1: 2000 items and 20 round trips, unless given

Squares the numbers 1 to ITEMS on a LocalCluster of two one-thread worker processes on loopback,
the shape of the embedded grid (one silo, two runners), and checks every result. Prints one line per
figure, FIGURE|UNIT|VALUE, and nothing else on stdout; progress goes to stderr.

Needs Debian's python3-distributed (apt-get install python3-distributed): only /usr/bin/python3 has it.
"""
import logging
import math
import os
import sys
import time

ROUNDTRIP_WARMUP = 50
PARTITIONS = 100


def square(x):
    return x * x


def note(message):
    print("bench/peers.py: " + message, file=sys.stderr, flush=True)


def fail(message):
    note(message)
    sys.exit(1)


def check(results, items, what):
    expected = [x * x for x in items]
    if results != expected:
        wrong = next((i for i, (r, e) in enumerate(zip(results, expected)) if r != e), min(len(results), len(expected)))
        got = repr(results[wrong]) if wrong < len(results) else "missing"
        want = expected[wrong] if wrong < len(expected) else "none"
        fail(f"{what}: {len(results)} results for {len(items)} items; result {wrong + 1} is {got}, expected {want}.")


def main():
    quick = bool(os.environ.get("BENCH_QUICK"))
    try:
        n = int(sys.argv[1]) if len(sys.argv) > 1 else (2000 if quick else 100000)
        roundtrips = int(sys.argv[2]) if len(sys.argv) > 2 else (20 if quick else 500)
    except ValueError:
        note("usage: bench/peers.py [ITEMS [ROUNDTRIPS]]")
        sys.exit(2)
    if n < 1 or roundtrips < 1:
        note("ITEMS and ROUNDTRIPS must be at least 1.")
        sys.exit(2)

    # The worker processes inherit fd 1, and Dask or a library may print there; only our figures may
    # reach the harness, so stdout becomes stderr for everyone and the figures go to a copy of it.
    figures = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def figure(name, unit, value):
        print(f"{name}|{unit}|{value}", file=figures, flush=True)

    import dask
    import dask.bag as db
    import distributed
    from distributed import Client, LocalCluster

    note(f"dask {dask.__version__}, distributed {distributed.__version__}, {n} items, {roundtrips} round trips")
    items = list(range(1, n + 1))

    def start():
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, silence_logs=logging.CRITICAL)
        return cluster, Client(cluster)

    def stop(cluster, client):
        client.close()
        cluster.close()

    def by_map(client):
        futures = client.map(square, items, pure=False)
        results = client.gather(futures)
        return results

    def by_bag(client):
        return db.from_sequence(items, npartitions=PARTITIONS).map(square).compute()

    def rate(seconds):
        return round(n / seconds)

    began = time.perf_counter()
    cluster, client = start()
    try:
        figure("dask LocalCluster start (2 worker processes, 1 thread each) and Client", "s",
               f"{time.perf_counter() - began:.2f}")

        # One small batch first, so the warm figures do not carry the workers' first imports and
        # the first pickling of square.
        check(client.gather(client.map(square, items[:100], pure=False)), items[:100], "warm-up")

        note("dask.bag, warm cluster...")
        began = time.perf_counter()
        results = by_bag(client)
        took = time.perf_counter() - began
        check(results, items, "dask.bag")
        figure(f"dask.bag ({PARTITIONS} partitions), {n} squares", "items/s", rate(took))

        note("one-item round trips...")
        times = []
        for i in range(ROUNDTRIP_WARMUP + roundtrips):
            began = time.perf_counter()
            result = client.submit(square, i, pure=False).result()
            took = time.perf_counter() - began
            if result != i * i:
                fail(f"round trip {i}: got {result!r}, expected {i * i}.")
            if i >= ROUNDTRIP_WARMUP:
                times.append(took * 1000)
        # As bench/latency/Program.cs does, so the two sets of percentiles mean the same thing.
        times.sort()

        def at(q):
            return times[min(len(times) - 1, math.ceil(q * len(times)) - 1)]

        figure("dask one-item task, client.submit to result, p50", "ms", f"{at(0.50):.2f}")
        figure("dask one-item task, client.submit to result, p99", "ms", f"{at(0.99):.2f}")
    finally:
        stop(cluster, client)

    # GridActors' embedded figure starts its silo and runners inside the timed run, so these are the
    # ones to set beside it. client.map is measured only this way: at 300 to 550 items/s, 100,000
    # tasks take minutes, and a second, warm run would add little (the start is a few seconds of it).
    for name, run in ((f"dask client.map, {n} squares, including cluster start and close", by_map),
                      (f"dask.bag ({PARTITIONS} partitions), {n} squares, including cluster start and close", by_bag)):
        note(name + "...")
        began = time.perf_counter()
        cluster, client = start()
        try:
            results = run(client)
        finally:
            stop(cluster, client)
        took = time.perf_counter() - began
        check(results, items, name)
        figure(name, "items/s", rate(took))


if __name__ == "__main__":
    main()
