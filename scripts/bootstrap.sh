#!/usr/bin/env bash
# Installs whatever a fresh machine lacks for Flowgate, then builds it. Sourced by up.sh and test.sh.
# Needs only Node.js 20 and npm; installs pnpm (the version pinned in package.json), the workspace's
# dependencies, redis-server (apt-get, when root) and, with FLOWGATE_NEED_BROWSER=1, Debian's chromium.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '[flowgate] %s\n' "$*" >&2; }

need_node() {
  command -v node >/dev/null || { say "Node.js 20 or newer is required: install it from https://nodejs.org or your package manager."; exit 1; }
  local major; major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || { say "Node.js $major found; Flowgate needs Node.js 20 or newer."; exit 1; }
}

ensure_pnpm() {
  local want; want=$(node -p 'require("./package.json").packageManager.split("@")[1]')
  if ! command -v pnpm >/dev/null || [ "$(pnpm --version 2>/dev/null)" != "$want" ]; then
    say "installing pnpm $want with npm"
    npm install -g "pnpm@$want" >/dev/null 2>&1 || { say "could not install pnpm: run 'npm install -g pnpm@$want' (it may need sudo)"; exit 1; }
  fi
}

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    say "'$1' is not installed and we are not root: install it with 'sudo apt-get install -y $*' and run this again."
    exit 1
  fi
  say "installing $* with apt-get"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 || { say "apt-get install $* failed"; exit 1; }
  fi
}

ensure_redis() {
  if [ -n "${FLOWGATE_REDIS_SERVER:-}" ]; then return; fi
  command -v redis-server >/dev/null || apt_install redis-server
  # The Debian package starts a system-wide server on 6379; Flowgate starts its own, so leave that one alone.
}

ensure_chromium() {
  command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || apt_install chromium
}

# re2 (linear-time regular expressions for data.regexExtract/regexReplace) is a native module built
# from source at install time: it needs a C++ compiler, make and python3.
ensure_build_tools() {
  missing=""
  command -v g++ >/dev/null || missing="$missing g++"
  command -v make >/dev/null || missing="$missing make"
  command -v python3 >/dev/null || missing="$missing python3"
  # shellcheck disable=SC2086 # one word per package
  [ -z "$missing" ] || apt_install $missing
}

ensure_deps() {
  if [ ! -d node_modules/.pnpm ] || [ pnpm-lock.yaml -nt node_modules/.modules.yaml ]; then
    ensure_build_tools
    say "installing dependencies (pnpm install)"
    pnpm install --frozen-lockfile >&2
  fi
}

build() {
  say "building"
  TURBO_TELEMETRY_DISABLED=1 pnpm exec turbo run build --output-logs=errors-only >&2
}

need_node
ensure_pnpm
ensure_deps
ensure_redis
if [ "${FLOWGATE_NEED_BROWSER:-0}" = 1 ]; then ensure_chromium; fi
build
