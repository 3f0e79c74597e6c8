#!/usr/bin/env bash
# Runs every GridActors test: grain and store tests (Orleans test clusters, a real redis-server), the
# silo's secret handshake, real runner processes, and end-to-end runs of the built grid command. Installs what
# the tests need when it is missing (redis-server, chromium for the browser-volunteer tests,
# docker-compose to check docker-compose.yml, and kubectl to build the Kubernetes manifests),
# checks docker-compose.yml, and checks that the benchmark harness runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET SDK (dotnet) is needed; install .NET 10 and run ./test.sh again." >&2
  exit 2
fi

# Installs a Debian package when its command is missing: apt-get, as root or through sudo.
install_missing() {
  local command=$1 package=$2 why=$3
  command -v "$command" >/dev/null 2>&1 && return 0
  echo "test.sh: installing $package ($why)..." >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$package" >/dev/null
}

# The Redis tests start their own redis-server on a free port (Debian's package also starts a system
# redis on 6379, which the tests do not use).
install_missing redis-server redis-server "needed by the Redis tests"

# The browser-volunteer tests drive Debian's Chromium through Playwright, headless.
install_missing chromium chromium "needed by the browser tests"

# docker-compose.yml is checked with Debian's docker-compose (no Docker engine is needed to check it).
install_missing docker-compose docker-compose "to check docker-compose.yml"
if ! docker-compose config -q; then
  echo "test.sh: docker-compose.yml is not valid (docker-compose config -q, above)." >&2
  exit 1
fi
echo "docker-compose.yml: valid (docker-compose config -q)"

# The Kubernetes manifests are built with kubectl kustomize (no cluster is needed) by the deploy tests.
install_missing kubectl kubernetes-client "to build the Kubernetes manifests (kubectl kustomize deploy/k8s)"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build GridActors.sln -c Debug --nologo -v quiet -clp:ErrorsOnly

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# One test assembly at a time: on a 2-core machine, the cluster tests' busy silos would otherwise
# starve the runner tests that hold jobs to time and memory limits.
for project in tests/GridActors.Grains.Tests tests/GridActors.Silo.Tests tests/GridActors.Cli.Tests; do
  dotnet test "$project" --no-build --nologo 2>&1 | tee -a "$log" || status=1
done

# Benchmarks are not tests; this only checks that the harness runs (one scenario, tiny size).
if BENCH_QUICK=1 bench/run.sh dispatch >"$log.bench" 2>&1; then
  echo "bench/run.sh: the harness runs (BENCH_QUICK=1 bench/run.sh dispatch)"
else
  cat "$log.bench"
  echo "test.sh: the benchmark harness failed (BENCH_QUICK=1 bench/run.sh dispatch, above)." >&2
  status=1
fi
rm -f "$log.bench"

# One closing line for the whole run, summed over the test projects.
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{ s += $2 } END { print s + 0 }')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{ s += $2 } END { print s + 0 }')
echo "${passed} passed, ${failed} failed"
if [ "$passed" -eq 0 ]; then
  echo "test.sh: no test ran." >&2
  exit 1
fi
exit "$status"
