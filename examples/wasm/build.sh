#!/usr/bin/env bash
# Rebuilds the WebAssembly bytes that examples/collatz-wasm.js carries from examples/collatz.wat.
#   examples/wasm/build.sh            compile collatz.wat and rewrite the byte array in collatz-wasm.js
#   examples/wasm/build.sh --check    only compare; exit 1 (and say so) when the bytes are stale
# Needs node and npm. wabt (the WebAssembly Binary Toolkit, as its npm package) is installed on first
# use into a cache folder outside the repo: $XDG_CACHE_HOME/gridactors/wabt-VERSION (~/.cache by default).
set -euo pipefail

WABT_VERSION=1.0.39
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/gridactors/wabt-$WABT_VERSION"

case "${1:-}" in
  "" | --check) ;;
  -h | --help)
    sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "build.sh: unknown argument '$1'; use --check to compare only, or no argument to rewrite." >&2
    exit 2
    ;;
esac

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build.sh: $tool is needed (install Node.js) to compile examples/collatz.wat." >&2
    exit 2
  fi
done

if [ ! -f "$cache/node_modules/wabt/package.json" ]; then
  echo "build.sh: installing wabt@$WABT_VERSION into $cache ..." >&2
  # Install beside the cache folder and move it in whole, so an interrupted install leaves nothing.
  partial="$cache.partial.$$"
  rm -rf "$partial"
  mkdir -p "$partial"
  if ! npm install --prefix "$partial" --no-audit --no-fund --loglevel=error "wabt@$WABT_VERSION" >&2; then
    rm -rf "$partial"
    echo "build.sh: npm could not install wabt@$WABT_VERSION (see above)." >&2
    exit 2
  fi
  rm -rf "$cache"
  mv "$partial" "$cache"
fi

exec node "$here/build.js" "$cache" ${1:+"$1"}
