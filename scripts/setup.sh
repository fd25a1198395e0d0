#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Installs the Debian 12 packages ctxsw needs (only the missing ones, quietly),
# then configures and builds into build/. Idempotent. Run as root.
set -eu
cd "$(dirname "$0")/.."

PACKAGES="build-essential cmake pkg-config git
  libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev
  libz3-dev z3 libboost-graph-dev nlohmann-json3-dev libcli11-dev libfmt-dev libxxhash-dev libreadline-dev
  qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross linux-source-6.1 xz-utils
  clang clang-format libclang-rt-14-dev graphviz chromium"

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "ctxsw setup: missing Debian packages:$missing (run as root to install them)" >&2
    exit 2
  fi
  echo "ctxsw setup: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" -- --no-print-directory >/dev/null
