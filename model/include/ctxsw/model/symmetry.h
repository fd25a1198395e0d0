// SPDX-License-Identifier: GPL-2.0-only
//
// Interchangeable parts of a configuration. Nothing in the kernel code the
// model follows depends on which user process (one task, one mm) or which
// kernel thread is which: renaming them maps executions to executions and
// every property to itself. The checker may therefore store one state per
// orbit (canonicalise()) and rebuild concrete counterexamples afterwards.
// Renaming generation values is a symmetry too (docs/generations.md), so an
// orbit here is one under both.
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

// Replaces s by the representative of its orbit under the groups' renamings
// and (with Config::renumber_generations) generation renamings: two states
// get the same representative if and only if one is a renaming of the other.
// Units are sorted by a key that renamings carry along; only units with equal
// keys are permuted (symmetry.cpp proves the result canonical). The
// representative is the bytewise least renumbered image among those orders,
// not necessarily the least of the whole orbit.
void canonicalise(const Config &cfg, const std::vector<std::vector<SymmetryUnit>> &groups, State &s);

// The same, for a state that renumber_generations() leaves unchanged (every
// state the model produces): skips that renumbering when s is already in
// sorted order.
void canonicalise_renumbered(const Config &cfg, const std::vector<std::vector<SymmetryUnit>> &groups, State &s);

// The bytewise least renumbered image of s over every renaming: another
// canonical form of the same orbits (a different representative), by brute
// force — |G| renamings. For tests.
void canonicalise_exhaustive(const Config &cfg, const std::vector<std::vector<SymmetryUnit>> &groups, State &s);

}  // namespace ctxsw
