#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The main job: set up (missing Debian packages, build), then check the
# default configuration exhaustively. Exit status is ctxsw check's.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh
exec build/ctxsw check "$@"
