#!/usr/bin/env bash
# Installs the Debian 12 packages Edict builds with, if any are missing.
# Safe to run again: when everything is present it changes nothing.
set -euo pipefail
packages=(
  build-essential cmake ninja-build python3
  antlr4 libantlr4-runtime-dev uuid-dev        # parser generator (Java, build time) + C++ runtime
  llvm-16-dev libzstd-dev                      # the JIT backend (optional: -DEDICT_ENABLE_JIT=OFF)
  libfmt-dev nlohmann-json3-dev libcli11-dev libfast-float-dev doctest-dev
)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi
echo "setup: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
