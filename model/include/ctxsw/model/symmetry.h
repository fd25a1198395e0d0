// SPDX-License-Identifier: GPL-2.0-only
//
// Interchangeable parts of a configuration. Nothing in the kernel code the
// model follows depends on which user process (one task, one mm) or which
// kernel thread is which: renaming them maps executions to executions and
// every property to itself. The checker may therefore store one state per
// orbit (canonicalise()) and rebuild concrete counterexamples afterwards.
// ASID values, CPUs (each has its own idle thread, and flush_context() walks
// CPUs in order) and fork slots are not permuted.
#pragma once

#include <array>
#include <vector>

#include "ctxsw/model/config.h"
#include "ctxsw/model/state.h"

namespace ctxsw {

struct SymmetryUnit {
  uint8_t task;
  uint8_t mm;  // kNone for a kernel thread
};

// Groups of interchangeable units (each group has at least two).
std::vector<std::vector<SymmetryUnit>> symmetry_groups(const Config &cfg);

using TaskPerm = std::array<uint8_t, kMaxTasks>;
using MmPerm = std::array<uint8_t, kMaxMms>;

// The state with task t renamed tp[t] and mm m renamed mp[m].
State permute(const Config &cfg, const State &s, const TaskPerm &tp, const MmPerm &mp);

// Replaces s by the least (bytewise) member of its orbit under the groups.
void canonicalise(const Config &cfg, const std::vector<std::vector<SymmetryUnit>> &groups, State &s);

}  // namespace ctxsw
