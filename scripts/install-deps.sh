#!/usr/bin/env bash
# Installs the Debian packages racedemo builds and tests with, if any is missing.
# As root it runs apt-get; otherwise it prints the exact command and exits 1.
set -euo pipefail
pkgs=(cmake make gcc clang pkg-config libunwind-dev uthash-dev check libdw-dev jq python3)
[ "${1:-}" = "--bench" ] && pkgs+=(golang-1.19-go valgrind)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "racedemo: missing packages: ${missing[*]}" >&2
  echo "racedemo: run as root: $cmd" >&2
  exit 1
fi
echo "racedemo: installing ${missing[*]}" >&2
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
