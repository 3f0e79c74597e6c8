# Sourced by bench/run.sh, which provides root, runs, quick, record(), squares() and start_grid();
# defines the scenario "peers".
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
#   - dask.bag of 100 partitions, warm, items/s: how Dask users batch work this small;
#   - client.map (one task per item: the shape of our jobs) and dask.bag, each including cluster
#     start and close, items/s: GridActors' embedded figure includes the start of its silo and
#     runners, so these are the ones to set beside it;
#   - one-item client.submit to result on the warm cluster, p50 and p99 in ms, percentiles taken as
#     bench/latency/Program.cs takes them (sorted, the value at ceil(q * n) - 1).
# Then, in the same run, GridActors: the embedded grid on the same items (start included), the
# ratios of its rate to Dask's, and one-item tasks on a warm grid of the same shape (one silo of two
# CPUs), submit to result.
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
  local out figure unit value n bag map ours line
  n=100000
  [ -n "$quick" ] && n=2000
  for _ in $(seq "$runs"); do
    # BENCH_QUICK reaches peers.py through the environment and picks its tiny sizes there.
    out=$("$python" "$root/bench/peers.py" "$n")
    bag="" map=""
    while IFS='|' read -r figure unit value; do
      [ -n "$figure" ] || continue
      record peers "$figure" "$unit" "$value"
      case "$figure" in
        "dask.bag"*"including cluster start"*) bag=$value ;;
        "dask client.map"*"including cluster start"*) map=$value ;;
      esac
    done <<<"$out"
    [ -n "$bag" ] && [ -n "$map" ] || { echo "bench/run.sh: peers: bench/peers.py gave no rate including start-up: $out" >&2; exit 1; }
    ours=$(echo "$n / $(squares "$n")" | bc)
    record peers "GridActors embedded grid, $n squares, including its start" "items/s" "$ours"
    record peers "GridActors embedded over dask.bag, both including start (target >= 1.5)" "x" "$(echo "scale=2; $ours / $bag" | bc)"
    record peers "GridActors embedded over dask client.map, both including start" "x" "$(echo "scale=1; $ours / $map" | bc)"
  done
  # The one-item round trip on a grid of the Dask cluster's shape: one silo, two runners.
  start_grid 1 2
  for _ in $(seq "$runs"); do
    line=$(dotnet "$root/bench/out/latency/GridActors.Bench.Latency.dll" "127.0.0.1:${silo_ports[0]}" bench "$([ -n "$quick" ] && echo 20 || echo 500)" 50)
    record peers "GridActors one-item task on one warm 2-CPU silo, submit to result, p50" "ms" "$(echo "$line" | awk '{ print $2 }')"
    record peers "GridActors one-item task on one warm 2-CPU silo, submit to result, p99" "ms" "$(echo "$line" | awk '{ print $6 }')"
  done
  stop_grid
}
