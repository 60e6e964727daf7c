#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages, on a bare machine: the Debian
# packages listed in .ci/apt-packages.txt (bubblewrap, sshd, Chromium, ...) and each
# scripts/setup-*.sh (code-server for the VS Code end-to-end tests). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -f .ci/apt-packages.txt ]; then
  # One package a line; blank lines and # comments are skipped.
  mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' .ci/apt-packages.txt | grep -v '^$' | sort -u)
  missing=()
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
      echo "setup: need root to install: ${missing[*]}" >&2
      exit 1
    fi
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    echo "setup: installing ${missing[*]}" >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

for script in scripts/setup-*.sh; do
  [ "$script" = "scripts/setup-test-env.sh" ] && continue
  echo "setup: $script" >&2
  bash "$script"
done
