#!/usr/bin/env bash
# Recovery after kill -9, on one machine: redis-server and three `grid silo` on loopback (BENCH_CPUS
# runners each, default 1), warmed by a first task of 500 items, then a client with --redis streaming
# 2,000 items of 20 ms, and at the 1,000th result a kill -9 of the client's gateway silo, which holds
# the task (gateway), of the silo holding the scheduler's queue (scheduler; it may be the gateway
# too), of a silo holding neither (other), or of nothing (none, the baseline). Prints the time from
# the kill to the last result, the jobs still without a result at the kill and the floor they set
# (that many 20 ms jobs on the runners left), and checks the output: 2,000 lines, each once, in order.
# Usage: bench/recovery.sh gateway|scheduler|other|none
# BENCH_LOGS=DIR keeps the silo logs (with timestamps) the timed output (out.txt) and the kill (kill.txt) in DIR.
set -euo pipefail
export LC_ALL=C   # $EPOCHREALTIME and bc with a decimal point
mode="${1:?usage: bench/recovery.sh gateway|scheduler|other|none}"
cpus="${BENCH_CPUS:-1}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
grid="$root/grid"
work="$(mktemp -d)"
redis_port=$((20000 + RANDOM % 10000))
ports=($((redis_port + 1)) $((redis_port + 2)) $((redis_port + 3)))   # the silos' gateways; +10 their silo ports, +20 HTTP
cluster="bench-$RANDOM"
cleanup() {
  [ -n "${BENCH_LOGS:-}" ] && mkdir -p "$BENCH_LOGS" && cp "$work"/silo*.log "$work"/out.txt "$work"/kill.txt "$BENCH_LOGS"/ 2>/dev/null
  pkill -f -- "--cluster $cluster" 2>/dev/null || true
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

"$grid" --version >/dev/null   # build once before the silos start
redis-server --port "$redis_port" --save "" --appendonly no --daemonize yes --logfile "$work/redis.log" >/dev/null
until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.05; done
export Logging__Console__FormatterOptions__TimestampFormat="HH:mm:ss.fff "
for port in "${ports[@]}"; do
  "$grid" silo --redis "127.0.0.1:$redis_port" --port "$port" --silo-port $((port + 10)) --http-port $((port + 20)) --secret bench --cpus "$cpus" --name "s$port" --cluster "$cluster" 2>"$work/silo$port.log" &
done
until [ "$(cat "$work"/silo*.log | grep -c 'joined cluster')" = 3 ]; do sleep 0.1; done

printf 'module.exports = function (x) { var end = Date.now() + 20; while (Date.now() < end) {} return x }\n' >"$work/slow.js"

# A grid that has run before: the silos' and runners' code is compiled, as on a grid in service. (On a
# fresh grid the first task's jobs ran at half speed while three silos compiled their code at once.)
seq 1 500 | "$grid" run "$work/slow.js" --stdin --redis "127.0.0.1:$redis_port" --secret bench --cluster "$cluster" >/dev/null
# Each result is stamped with bash's own clock, and the 1,000th is announced through a FIFO: the
# harness forks nothing per line and polls nothing. (It once ran `date` for every line: at 6 ms a
# fork on this machine, that capped the output at about 150 lines a second and took a core from the
# runners, which made the timed part twice as long as the grid's own work.)
mkfifo "$work/half"
seq 1 2000 | "$grid" run "$work/slow.js" --stdin --redis "127.0.0.1:$redis_port" --secret bench --cluster "$cluster" 2>"$work/err.txt" |
  LC_ALL=C bash -c 'n=0; while read -r line; do echo "$EPOCHREALTIME $line"; n=$((n + 1)); if [ "$n" = 1000 ]; then echo >"$1"; fi; done' stamp "$work/half" >"$work/out.txt" &
client=$!

# Where the task and the scheduler are active, as a user would ask (grid status and grid usage), while
# the first half runs: each is a client of its own, and takes its CPU before the kill, not after.
ask() { "$grid" "$@" --json --redis "127.0.0.1:$redis_port" --secret bench --cluster "$cluster"; }
until task=$(redis-cli -p "$redis_port" zrange "$cluster:tasks" -1 -1) && [ -n "$task" ]; do sleep 0.05; done   # the newest: the warm-up's task is deleted
task_port=$(ask status | python3 -c 'import json, sys; print([t["silo"] for t in json.load(sys.stdin) if t["state"] == "running"][0].split(":")[-1])')
scheduler_port=$(ask usage | python3 -c 'import json, sys; print([s["address"] for s in json.load(sys.stdin) if s["scheduler"]][0].split(":")[-1])')
read -r _ <"$work/half"

case "$mode" in
  gateway) victim=$task_port ;;
  scheduler) victim=$scheduler_port ;;
  other) for port in "${ports[@]}"; do [ "$port" != "$task_port" ] && [ "$port" != "$scheduler_port" ] && victim=$port && break; done ;;
  none) victim="" ;;
  *) echo "bench/recovery.sh: unknown mode '$mode'; use gateway, scheduler, other or none." >&2; exit 2 ;;
esac
killed=$EPOCHREALTIME
echo "$killed $victim" >"$work/kill.txt"
[ -n "$victim" ] && pkill -9 -f -- "--port $victim --silo-port"
# Results are printed in input order, so more than half the jobs may be done at the kill: the floor
# is what is left, on the runners that are left.
done_at_kill=$(redis-cli -p "$redis_port" hget "$cluster:task:{$task}:meta" done)
left=$((2000 - done_at_kill))
runners=$((3 * cpus))
[ -n "$victim" ] && runners=$((2 * cpus))
wait "$client"

last=$(tail -n 1 "$work/out.txt" | cut -d' ' -f1)
lines=$(wc -l <"$work/out.txt")
distinct=$(cut -d' ' -f2 "$work/out.txt" | sort -u | wc -l)
ordered=$(cut -d' ' -f2 "$work/out.txt" | sort -n -c 2>/dev/null && echo yes || echo no)
held=""
[ -n "$victim" ] && [ "$victim" = "$task_port" ] && held="$held task"
[ -n "$victim" ] && [ "$victim" = "$scheduler_port" ] && held="$held scheduler"
printf 'mode %s (the killed silo held:%s): kill to last result %.1f s; %s jobs left at the kill, floor %.1f s on %s runners; %s lines, %s distinct, in order: %s\n' \
  "$mode" "${held:- nothing}" "$(echo "$last - $killed" | bc)" "$left" "$(echo "$left * 0.020 / $runners" | bc -l)" "$runners" "$lines" "$distinct" "$ordered"
cat "$work/err.txt"
