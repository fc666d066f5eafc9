#!/usr/bin/env bash
# Proves the README path on this machine: a fresh clone of the committed HEAD, a fresh HOME
# (no npm cache, no code-server config, no rig, no venv), then exactly the README's commands
# `npm ci` and `npm test`. Leaves the clone and its logs in the printed folder.
#   bash scripts/check-fresh-clone.sh [REF]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
REF="${1:-HEAD}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/costar-fresh.XXXXXX")"
mkdir -p "$WORK/home"
git clone -q "$ROOT" "$WORK/clone"
git -C "$WORK/clone" checkout -q "$(git -C "$ROOT" rev-parse "$REF")"
echo "[fresh] clone of $(git -C "$WORK/clone" rev-parse --short HEAD) in $WORK/clone, HOME=$WORK/home"
cd "$WORK/clone"
# The machine's environment as CI gets it, but no npm_* variables of a calling npm and a
# new, empty HOME (so no ~/.npmrc, npm cache, code-server or chromium state). Allowed in that
# HOME afterwards: npm's and node-gyp's caches, and the settings a rustup shim writes when a
# build script probes for cargo (the machine's tool chain, not this project's state).
status=0
env $(env | sed -n 's/^\([Nn][Pp][Mm]_[^=]*\)=.*/-u \1/p') -u INIT_CWD HOME="$WORK/home" TERM=dumb \
  bash -c 'npm ci --no-audit --no-fund && npm test' >"$WORK/npm-test.log" 2>&1 || status=$?
tail -n 30 "$WORK/npm-test.log"
leaked="$(find "$WORK/home" -mindepth 1 -maxdepth 2 ! -path "$WORK/home/.npm*" ! -path "$WORK/home/.cache" ! -path "$WORK/home/.cache/node-gyp*" ! -path "$WORK/home/.rustup*" | head -n 5)"
if [ -n "$leaked" ]; then echo "[fresh] files written to HOME outside npm's cache:"; echo "$leaked"; status=${status/#0/1}; fi
echo "[fresh] exit $status; log: $WORK/npm-test.log"
exit "$status"
