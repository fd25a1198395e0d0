// SPDX-License-Identifier: GPL-2.0-only
#include "ctxsw/asm/asm.h"

namespace ctxsw::asmref {
std::optional<Mismatch> check_context(Harness &, const Model &, const Trace &, Counters &) {
  throw SetupError("context.c differential: not built yet");
}
}  // namespace ctxsw::asmref
