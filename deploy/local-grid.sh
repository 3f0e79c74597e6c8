#!/usr/bin/env bash
# The grid of docker-compose.yml as local processes, for machines without Docker: redis-server and
# one `grid silo` per silo service of the compose file, on loopback ports: silo N's gateway (what clients
# give to --grid) on GRID_PORT + N - 1, its port for other silos on SILO_PORT + N - 1, its HTTP
# endpoint (/healthz, the dashboard at /, /volunteer) on HTTP_PORT + N - 1. Settings come from .env,
# as for compose (variables set in the environment win), so the two start the same grid.
#
#   deploy/local-grid.sh up       start Redis and the silos, wait until each has joined
#   deploy/local-grid.sh status   what runs, and each silo's load (grid usage)
#   deploy/local-grid.sh down     stop the silos gracefully, then Redis (its data is kept)
#
# Logs, pid files and Redis's data are in .grid/local (LOCAL_GRID_DIR to change it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
grid="$root/grid"

# .env, as docker compose reads it: KEY=VALUE lines, # comments; the environment wins.
while IFS= read -r line || [ -n "$line" ]; do
  line="${line%%#*}"
  [[ "$line" =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
  name="${BASH_REMATCH[1]}" value="${BASH_REMATCH[2]}"
  value="${value%"${value##*[![:space:]]}"}"
  [ -n "${!name+set}" ] || export "$name=$value"
done <"$root/.env"

: "${GRIDACTORS_SECRET:?is not set in .env or the environment}" "${GRIDACTORS_CLUSTER:=grid}"
: "${GRID_PORT:=11111}" "${SILO_PORT:=11121}" "${HTTP_PORT:=11131}" "${REDIS_PORT:=6380}" "${SILO_CPUS:=1}" "${SILO_MAX_CPU:=100}"
state="${LOCAL_GRID_DIR:-$root/.grid/local}"
mapfile -t silos < <(grep -E '^  silo[0-9]+:' "$root/docker-compose.yml" | tr -d ' :')
[ "${#silos[@]}" -gt 0 ] || { echo "local-grid.sh: no silo services found in docker-compose.yml." >&2; exit 2; }

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
redis_cli() { redis-cli -p "$REDIS_PORT" "$@"; }

up() {
  command -v redis-server >/dev/null || { echo "local-grid.sh: redis-server is needed (Debian: apt-get install redis-server)." >&2; exit 2; }
  mkdir -p "$state/redis"
  "$grid" --version >/dev/null   # build once, before the silos start
  if ! redis_cli ping >/dev/null 2>&1; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$state/redis" --appendonly yes --save "" \
      --daemonize yes --pidfile "$state/redis.pid" --logfile "$state/redis.log" >/dev/null
    for _ in $(seq 100); do redis_cli ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis_cli ping >/dev/null 2>&1 || { echo "local-grid.sh: redis-server did not start on port $REDIS_PORT; see $state/redis.log." >&2; exit 3; }
  fi

  local i=0 started=()
  for silo in "${silos[@]}"; do
    local port=$((GRID_PORT + i)) silo_port=$((SILO_PORT + i)) http_port=$((HTTP_PORT + i))
    i=$((i + 1))
    if running "$state/$silo.pid"; then continue; fi
    nohup "$grid" silo --redis "127.0.0.1:$REDIS_PORT" --port "$port" --silo-port "$silo_port" --http-port "$http_port" --name "$silo" --secret "$GRIDACTORS_SECRET" \
      --cluster "$GRIDACTORS_CLUSTER" --cpus "$SILO_CPUS" --max-cpu "$SILO_MAX_CPU" </dev/null >"$state/$silo.log" 2>&1 &
    echo $! >"$state/$silo.pid"
    started+=("$silo")
  done

  for silo in "${started[@]}"; do
    for _ in $(seq 1200); do
      grep -q "grid: silo $silo joined cluster" "$state/$silo.log" && break
      running "$state/$silo.pid" || { echo "local-grid.sh: silo $silo stopped while starting; its log:" >&2; cat "$state/$silo.log" >&2; exit 3; }
      sleep 0.1
    done
    grep -q "grid: silo $silo joined cluster" "$state/$silo.log" || { echo "local-grid.sh: silo $silo did not join within 2 minutes; see $state/$silo.log." >&2; exit 3; }
  done

  echo "local grid up: Redis on 127.0.0.1:$REDIS_PORT, silos ${silos[*]} on ports $GRID_PORT-$((GRID_PORT + ${#silos[@]} - 1))."
  echo "(Silo to silo on ports $SILO_PORT-$((SILO_PORT + ${#silos[@]} - 1)); HTTP (the dashboard, /volunteer, /healthz) on $HTTP_PORT-$((HTTP_PORT + ${#silos[@]} - 1)).)"
  echo "Try: ./grid run examples/pi.js 2000000 2000000 --grid localhost:$GRID_PORT --secret $GRIDACTORS_SECRET"
}

down() {
  local pids=()
  for silo in "${silos[@]}"; do
    if running "$state/$silo.pid"; then
      kill -TERM "$(cat "$state/$silo.pid")"   # a silo leaves the grid gracefully on SIGTERM
      pids+=("$(cat "$state/$silo.pid")")
    fi
    rm -f "$state/$silo.pid"
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  done
  if redis_cli ping >/dev/null 2>&1; then redis_cli shutdown >/dev/null 2>&1 || true; fi
  rm -f "$state/redis.pid"
  echo "local grid down (Redis's data is kept in $state/redis)."
}

status() {
  local up=0
  if redis_cli ping >/dev/null 2>&1; then echo "redis  running on 127.0.0.1:$REDIS_PORT"; else echo "redis  stopped"; fi
  local i=0
  for silo in "${silos[@]}"; do
    if running "$state/$silo.pid"; then echo "$silo  running on 127.0.0.1:$((GRID_PORT + i)) (pid $(cat "$state/$silo.pid"))"; up=1
    else echo "$silo  stopped"; fi
    i=$((i + 1))
  done
  if [ "$up" = 1 ]; then
    echo
    "$grid" usage --redis "127.0.0.1:$REDIS_PORT" --cluster "$GRIDACTORS_CLUSTER" --secret "$GRIDACTORS_SECRET"
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: deploy/local-grid.sh up|down|status" >&2; exit 2 ;;
esac
