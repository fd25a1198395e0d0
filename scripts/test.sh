#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The whole test suite: set up (missing Debian packages, build), then ctest.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh
ctest --test-dir build --output-on-failure -j"$(nproc)" "$@"
sh scripts/sanitize_and_fuzz.sh  # build-asan subset + 60 s per parser fuzzer (docs/robustness.md)
