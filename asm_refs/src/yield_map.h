// SPDX-License-Identifier: GPL-2.0-only
//
// Which accesses of the real context.c one model step performs: the map from
// the model's program points (model/include/ctxsw/model/pc.h) to the yield
// points of the shim (asm_refs/target/shim/include/ctxsw_kshim.h).
#pragma once

#include <string>
#include <vector>

#include "ctxsw/model/config.h"
#include "ctxsw/model/state.h"
#include "ctxsw/model/step.h"

namespace ctxsw::asmref {

// One yield point, as the harness prints it: "atomic64_read id1",
// "atomic64_xchg_relaxed act0", "spin_lock lock", "msr_ttbr0_el1 -".
struct Access {
  std::string kind;    // the shim function about to run
  std::string object;  // idM (mm M's context.id), actC (active_asids[C]), gen, lock, pend, - (a CPU register)
  std::string str() const { return kind + " " + object; }
};

// The accesses, in order, that step `st` (a CPU inside the allocator, or a
// call the model takes as one step) performs in the real code, given the
// state before it. Empty: the step does not run real code.
std::vector<Access> step_accesses(const Config &cfg, const State &before, const Step &st);

// The program points the map covers (every allocator PC), for the test that
// keeps it complete.
std::vector<Pc> mapped_pcs();

}  // namespace ctxsw::asmref
