#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The whole test suite: set up (missing Debian packages, build), then ctest.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh
exec ctest --test-dir build --output-on-failure -j"$(nproc)" "$@"
