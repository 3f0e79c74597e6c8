#!/usr/bin/env bash
# Where a browser tab's trivial jobs spend CPU: gives N squares to a `grid silo --cpus 0` with one
# headless Chromium tab (bench/browsers), and prints the wall time and the CPU seconds of the silo,
# each Chromium process (by its --type) and the client, read from /proc before and after.
#
#   bench/tab-cpu.sh [N] [TREE]     N squares (default 10000); TREE: a checkout to measure (default this
#                                   one), e.g. the worktree bench/side-by-side.sh made, to compare two commits
set -euo pipefail
n=${1:-10000}
root="$(cd "${2:-$(dirname "${BASH_SOURCE[0]}")/..}" && pwd)"
cd "$root"
./grid --version >/dev/null
dotnet build bench/browsers/GridActors.Bench.Browsers.csproj -c Release -o bench/out/browsers --nologo -v quiet -clp:ErrorsOnly >/dev/null
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
work=$(mktemp -d)
redis_port=$(free_port)
gateway=$(free_port)
redis-server --port "$redis_port" --save '' --dir "$work" --daemonize yes --pidfile "$work/redis.pid" >/dev/null
dotnet .grid/bin/grid.dll silo --redis "127.0.0.1:$redis_port" --port "$gateway" --silo-port "$(free_port)" --http-port "$(free_port)" \
  --secret bench --cpus 0 --name tab-cpu >"$work/silo.log" 2>&1 &
silo=$!
cleanup() {
  exec 9>&- 2>/dev/null || true
  kill "$silo" 2>/dev/null || true
  kill "$(cat "$work/redis.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
until grep -q joined "$work/silo.log" 2>/dev/null; do kill -0 "$silo" || { cat "$work/silo.log" >&2; exit 3; }; sleep 0.2; done
grid=(--grid "127.0.0.1:$gateway" --secret bench)
link=$(dotnet .grid/bin/grid.dll invite "${grid[@]}" 2>/dev/null)
mkfifo "$work/tab.in"
dotnet bench/out/browsers/GridActors.Bench.Browsers.dll "$link" 1 <"$work/tab.in" >"$work/tab.out" 2>&1 &
exec 9>"$work/tab.in"
until grep -q ready "$work/tab.out"; do sleep 0.1; done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
kind() { tr '\0' ' ' <"/proc/$1/cmdline" | grep -o -- '--type=[a-z-]*\|--utility-sub-type=[a-zA-Z.]*' | tail -1 | sed 's/--[a-z-]*=//' || true; }
declare -A before
seq 1 500 | dotnet .grid/bin/grid.dll run examples/square.js --stdin "${grid[@]}" >/dev/null   # warm the tab
chromes=$(pgrep -f chromium | tr '\n' ' ')
for p in $silo $chromes; do before[$p]=$(ticks "$p"); done
start=$(date +%s.%N)
seq 1 "$n" | /usr/bin/time -f "client: %U s user + %S s system" dotnet .grid/bin/grid.dll run examples/square.js --stdin "${grid[@]}" >/dev/null
end=$(date +%s.%N)
hz=$(getconf CLK_TCK)
echo "$(git log -1 --format=%h): $n squares in $(echo "$end - $start" | bc) s, $(echo "$n / ($end - $start)" | bc) jobs/s"
echo "silo: $(echo "scale=2; ($(ticks "$silo") - ${before[$silo]}) / $hz" | bc) s"
for p in $chromes; do
  used=$(( $(ticks "$p") - ${before[$p]:-0} ))
  k=$(kind "$p")
  [ "$used" -gt 0 ] && echo "chromium ${k:-browser}: $(echo "scale=2; $used / $hz" | bc) s"
done
exit 0
