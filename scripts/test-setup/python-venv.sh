#!/usr/bin/env bash
# Creates the git-ignored Python virtual environment .venv/ that the tests of real Python
# libraries use (test/python/requirements.txt: OpenTelemetry, OpenInference, MLflow, ...).
# Idempotent: it installs again only when the requirements file changed since the last
# complete install (its hash is kept in .venv/.requirements.sha256). Prints the venv's python.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="$ROOT/.venv"
REQUIREMENTS="$ROOT/test/python/requirements.txt"
PYTHON="${COSTAR_TEST_PYTHON:-python3}"
log() { printf '[venv] %s\n' "$*" >&2; }

want="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" = "$want" ]; then
  mkdir -p "$VENV/home"; echo "$VENV/bin/python"; exit 0
fi
command -v "$PYTHON" >/dev/null || { echo "[venv] $PYTHON not found: install Python 3.10 or newer (Debian: apt-get install python3 python3-venv)" >&2; exit 1; }
if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV"
  "$PYTHON" -m venv "$VENV" || { echo "[venv] '$PYTHON -m venv' failed: on Debian, apt-get install python3-venv" >&2; rm -rf "$VENV"; exit 1; }
fi
rm -f "$VENV/.requirements.sha256"
log "installing test/python/requirements.txt (a few minutes the first time)"
# None of an outer npm's environment (npm test runs this) reaches pip.
# HOME inside the venv (build back ends probe ~/.rustup, ~/.config), pip's cache kept.
mkdir -p "$VENV/home"
env $(env | sed -n 's/^\([Nn][Pp][Mm]_[^=]*\)=.*/-u \1/p') PIP_DISABLE_PIP_VERSION_CHECK=1 \
  PIP_CACHE_DIR="${PIP_CACHE_DIR:-$HOME/.cache/pip}" HOME="$VENV/home" \
  "$VENV/bin/python" -m pip install --quiet --no-input -r "$REQUIREMENTS" >&2
echo "$want" > "$VENV/.requirements.sha256"
echo "$VENV/bin/python"
