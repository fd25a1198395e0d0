#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Every C/C++ source in the repository is as clang-format (Debian 12's, with
# the repository's .clang-format) writes it. Run by ctest (Style.ClangFormat);
# fix with: clang-format -i FILE...
set -eu
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null; then
  echo "check_format: clang-format is not installed (scripts/setup.sh installs it)" >&2
  exit 2
fi
if [ -d .git ] && command -v git >/dev/null; then
  files=$(git ls-files '*.c' '*.h' '*.cpp')
else
  files=$(find . -path './build*' -prune -o \( -name '*.c' -o -name '*.h' -o -name '*.cpp' \) -print)
fi
bad=""
for f in $files; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad="$bad $f"
done
if [ -n "$bad" ]; then
  echo "check_format: not clang-formatted:$bad" >&2
  exit 1
fi
echo "check_format: $(echo "$files" | wc -w) files clang-formatted"
