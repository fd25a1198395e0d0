// SPDX-License-Identifier: GPL-2.0-only
//
// libFuzzer entry point; CTXSW_FUZZ_TARGET (scenario, trace or config)
// picks the harness (fuzz/harness.h).
#include <cstddef>
#include <cstdint>

#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return ctxsw::fuzz::CTXSW_FUZZ_TARGET(data, size);
}
