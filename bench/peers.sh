# Sourced by bench/run.sh, which provides root, runs and record(); defines the scenario "peers".
#
# The same trivial workload as the dispatch and latency scenarios (the numbers 1 to 100,000, each
# squared, the results in input order; then one-item tasks on a warm cluster, submit to result), run
# on Dask distributed by bench/peers.py. Dask is what a Python user picks to spread this kind of
# work over the cores of their own machines, so it is the yardstick a GridActors figure has to be
# read against; a figure on its own says little about whether our per-item cost is reasonable.
#
# The Dask cluster has the shape of the embedded grid: a LocalCluster of two worker processes of one
# thread each, the scheduler in the client's process, loopback only. Figures, per run:
#   - cluster start, in seconds;
#   - client.map, one task per item, on a warm cluster, items/s: the shape of our jobs;
#   - dask.bag of 100 partitions, warm, items/s: how Dask users batch work this small;
#   - both again including cluster start and close, items/s: GridActors' embedded figure includes
#     the start of its silo and runners, so these are the ones to set beside it;
#   - one-item client.submit to result on the warm cluster, p50 and p99 in ms, percentiles taken as
#     bench/latency/Program.cs takes them (sorted, the value at ceil(q * n) - 1).
#
# Target: GridActors embedded at least 1.5 times Dask's dask.bag rate including start-up, both
# measured in the same run of the harness, since this machine is shared and its speed drifts.
#
# Needs Debian's python3-distributed under /usr/bin/python3 (no PyPI here); without it the scenario
# records nothing and says how to install it.
peers() {
  local python=/usr/bin/python3
  if ! "$python" -c 'import distributed' 2>/dev/null; then
    echo "bench/run.sh: peers: $python cannot import distributed; install Dask with: apt-get install python3-distributed" >&2
    return 0
  fi
  local out figure unit value
  for _ in $(seq "$runs"); do
    # BENCH_QUICK reaches peers.py through the environment and picks its tiny sizes there.
    out=$("$python" "$root/bench/peers.py")
    while IFS='|' read -r figure unit value; do
      [ -n "$figure" ] || continue
      record peers "$figure" "$unit" "$value"
    done <<<"$out"
  done
}
