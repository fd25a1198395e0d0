// SPDX-License-Identifier: GPL-2.0-only
//
// The bodies of the libFuzzer targets (fuzz_scenario, fuzz_trace,
// fuzz_config), kept apart from LLVMFuzzerTestOneInput so that the GCC test
// suite (tests/fuzz_regressions_test.cpp) runs the seed corpus and every
// crash found through the very same code. Each takes arbitrary bytes; a
// malformed input must be rejected with a message, never crash, hang or
// trip a sanitizer. Beyond "does not crash", each checks a property of the
// parser and aborts (a finding, like a crash) when it fails:
//   scenario: errors read "PATH:LINE: ..."; an accepted scenario has a
//             valid configuration and replays (run_scenario) the same with
//             and without output.
//   trace:    errors read "PATH: ..."; an accepted trace has a valid
//             configuration; one that replays is written back
//             (trace_to_json) and the written trace parses and replays too.
//   config:   an accepted configuration is valid, holds the numbers the
//             JSON gave, and survives config_to_json and config_from_json
//             unchanged.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ctxsw::fuzz {

int scenario_one(const uint8_t *data, size_t size);
int trace_one(const uint8_t *data, size_t size);
int config_one(const uint8_t *data, size_t size);

}  // namespace ctxsw::fuzz
