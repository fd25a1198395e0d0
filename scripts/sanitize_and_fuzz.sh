#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Robustness checks (docs/robustness.md), run by scripts/test.sh after the
# main suite:
#  1. build-asan: GCC with -DCTXSW_SANITIZE=ON (AddressSanitizer, leak check
#     included, + UndefinedBehaviorSanitizer, no recovery) and a bounded
#     subset of the tests: model, scenario, generations, CLI, explore
#     (trace, session, graph) and fuzz regressions. Left out there: the
#     exhaustive mutant runs (mutants_test), the random-walk properties
#     (model_props_test), qemu (asm_test), Chromium (html_viewer_test) and
#     Z3 (prover) - millions of states or external programs, too slow under
#     ASan on CI's 2 cores; they run unsanitized in build/.
#  2. build-fuzz: clang with libFuzzer + ASan + UBSan; each parser fuzzer
#     (scenario, trace, config) runs CTXSW_FUZZ_SECONDS (default 60) from
#     the seed corpus fuzz/corpus/<target>; any crash, sanitizer report,
#     timeout (> 10 s per input) or out-of-memory fails, leaving the input in
#     build-fuzz/artifacts/.
#  3. build-tsan: GCC with ThreadSanitizer, for the parallel explorer and its
#     concurrent state store: store_test (a system that overflows the tables
#     within a level, the bit array of bitstate mode) and checker_test's
#     parallel shapes (1-3 workers against an independent serial search) and
#     bitstate searches.
# CTXSW_SANITIZE_ONLY=1 skips 2, CTXSW_FUZZ_ONLY=1 skips 1 and 3.
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc)
seconds=${CTXSW_FUZZ_SECONDS:-60}
start=$(date +%s)

if [ "${CTXSW_FUZZ_ONLY:-0}" != 1 ]; then
  echo "ctxsw sanitize: building build-asan (ASan+UBSan)"
  # GCC 12's -Wmaybe-uninitialized gives false reports inside libstdc++
  # (std::regex, std::function) once ASan instruments it; -Werror made them fatal.
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCTXSW_SANITIZE=ON \
    -DCMAKE_CXX_FLAGS=-Wno-maybe-uninitialized >/dev/null
  cmake --build build-asan -j"$jobs" --target ctxsw model_test scenario_test generations_test cli_test bad_input_test \
    explore_trace_test explore_session_test explore_graph_test fuzz_regressions_test -- --no-print-directory >/dev/null
  # Only the executables built above have discovered tests; the others
  # appear as <name>_NOT_BUILT placeholders, excluded here.
  ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" -E '_NOT_BUILT$'

  echo "ctxsw sanitize: building build-tsan (ThreadSanitizer: the parallel explorer)"
  cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS=-fsanitize=thread -Wno-maybe-uninitialized" -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread >/dev/null
  cmake --build build-tsan -j"$jobs" --target store_test checker_test -- --no-print-directory >/dev/null
  # One test at a time: each runs up to three threads of its own.
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    ctest --test-dir build-tsan --output-on-failure -j1 -R 'StoreOverflow|StateStore|BitFilter|CheckerParallel|CheckerBitstate'
fi

if [ "${CTXSW_SANITIZE_ONLY:-0}" != 1 ]; then
  echo "ctxsw fuzz: building build-fuzz (clang, libFuzzer+ASan+UBSan)"
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCTXSW_FUZZ=ON \
    -DCTXSW_SANITIZE=ON "-DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link -Wno-unknown-warning-option" -DBUILD_TESTING=OFF >/dev/null
  cmake --build build-fuzz -j"$jobs" --target fuzz_scenario fuzz_trace fuzz_config -- --no-print-directory >/dev/null
  mkdir -p build-fuzz/artifacts
  for t in scenario trace config; do
    dict=fuzz/json.dict
    [ "$t" = scenario ] && dict=fuzz/scenario.dict
    # New inputs go to a scratch corpus; the repository keeps its small seeds.
    work=build-fuzz/corpus/$t
    mkdir -p "$work"
    echo "ctxsw fuzz: fuzz_$t for ${seconds}s"
    if ! ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      build-fuzz/fuzz/fuzz_$t -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
        -dict="$dict" -print_final_stats=1 -artifact_prefix=build-fuzz/artifacts/$t- \
        "$work" "fuzz/corpus/$t" >build-fuzz/fuzz_$t.log 2>&1; then
      tail -n 60 build-fuzz/fuzz_$t.log >&2
      echo "ctxsw fuzz: fuzz_$t FAILED; input in build-fuzz/artifacts/ (add it to fuzz/regressions/$t/)" >&2
      exit 1
    fi
    grep -E '^stat::number_of_executed_units|^Done ' build-fuzz/fuzz_$t.log | sed "s/^/ctxsw fuzz: fuzz_$t: /"
  done
fi
echo "ctxsw sanitize_and_fuzz: ok in $(($(date +%s) - start))s"
