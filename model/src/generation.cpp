// SPDX-License-Identifier: GPL-2.0-only
//
// Canonical renumbering of the generation values present in a state
// (docs/generations.md explains why this keeps every verdict).
#include <array>

#include "ctxsw/model/generations.h"
#include "kernel.h"

namespace ctxsw::kernel {

namespace {

// The generation slots in their fixed scan order: each mm, then each CPU's
// active, reserved, asid and old_active.
template <class F>
[[gnu::always_inline]] inline void for_each_slot(const Config &cfg, State &s, F &&f) {
  for (int m = 0; m < cfg.nr_mms(); m++) f(s.mm[m].id.gen);
  for (int c = 0; c < cfg.cpus; c++) {
    CpuState &cs = s.cpu[c];
    f(cs.active.gen);
    f(cs.reserved.gen);
    f(cs.asid.gen);
    f(cs.old_active.gen);
  }
}

}  // namespace

void renumber_generations(const Config &cfg, State &s) {
  // The values other than 0 and the global asid_generation are renumbered
  // 1, 2, ... in the order of their first slot; asid_generation gets the
  // next (largest) value so that its increment still yields a fresh
  // generation. 0 ("no generation", a zero context.id) stays 0.
  //
  // Fast path (most states: a step rarely changes which generations are
  // held): the values already are 1, 2, ... in first-slot order, i.e. every
  // value is either one met before (below `next`) or exactly `next`.
  const uint8_t global = s.generation;
  uint8_t next = 1;
  bool renumbered = true;
  for_each_slot(cfg, s, [&](uint8_t g) {  // branch-free: the values are not predictable
    const bool counted = (g != 0) & (g != global);
    renumbered &= !counted | (g <= next);
    next += counted & (g == next);
  });
  if (renumbered && global == next) return;
  // map[old] = new. The distinct values (at most one per slot) in a short
  // list rather than a 256-entry table.
  std::array<uint8_t, 1 + kMaxMms + 4 * kMaxCpus> from, to;
  size_t n = 0;
  next = 1;
  for_each_slot(cfg, s, [&](uint8_t &g) {
    if (g == 0) return;
    if (g == global) {
      g = 0xff;  // marked; given its value below, once `next` is final
      return;
    }
    size_t i = 0;
    while (i < n && from[i] != g) i++;
    if (i == n) from[n] = g, to[n++] = next++;
    g = to[i];
  });
  for_each_slot(cfg, s, [&](uint8_t &g) {
    if (g == 0xff) g = next;
  });
  s.generation = next;
}

}  // namespace ctxsw::kernel

namespace ctxsw {
void renumber_generations(const Config &cfg, State &s) { kernel::renumber_generations(cfg, s); }
}  // namespace ctxsw
