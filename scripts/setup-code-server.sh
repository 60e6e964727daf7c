#!/usr/bin/env bash
# Installs what the VS Code end-to-end tests need: Debian's Chromium and ripgrep, and
# code-server (real VS Code in the browser) under .tools/code-server/.
# Idempotent; works on a bare machine as root. Nothing is downloaded except Debian
# packages and npm packages: code-server's postinstall wants to fetch ripgrep from
# GitHub, so its download cache is primed with Debian's rg first.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CS_VERSION=4.100.3
CS_DIR="$ROOT/.tools/code-server"
CS_BIN="$CS_DIR/node_modules/.bin/code-server"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v rg >/dev/null 2>&1 || need_apt+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need_apt[@]}"
fi

if [ -x "$CS_BIN" ] && "$CS_BIN" --version 2>/dev/null | grep -q "^$CS_VERSION"; then
  echo "code-server $CS_VERSION already installed in $CS_DIR"
  exit 0
fi

# @vscode/ripgrep's postinstall looks here before downloading.
RG_CACHE="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
RG_TAR="$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -s "$RG_TAR" ]; then
  mkdir -p "$RG_CACHE"
  tmp="$(mktemp -d)"
  cp "$(command -v rg)" "$tmp/rg"
  tar -C "$tmp" -czf "$RG_TAR" rg
  rm -rf "$tmp"
fi

mkdir -p "$CS_DIR"
cd "$CS_DIR"
[ -f package.json ] || echo '{ "name": "cairn-code-server-tool", "private": true }' > package.json
npm_config_unsafe_perm=true npm_config_yes=true npm install --no-audit --no-fund "code-server@$CS_VERSION"
"$CS_BIN" --version
