// SPDX-License-Identifier: GPL-2.0-only
//
// The state as named fields ("cpu0.ttbr0", "mm.a.mm_count", ...). One naming
// scheme serves printing, counterexample diffs, scenario expectations and
// JSON traces.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ctxsw/model/config.h"
#include "ctxsw/model/state.h"

namespace ctxsw {

struct Field {
  std::string name;
  std::string value;
};

std::vector<Field> describe_state(const Config &cfg, const State &s);
std::string format_ctxid(CtxId id);  // "0" or "g2:1" (generation 2, hardware ASID 1)

// Fields whose value differs between a and b, with b's value.
std::vector<Field> changed_fields(const Config &cfg, const State &a, const State &b);

}  // namespace ctxsw
