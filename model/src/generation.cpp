// SPDX-License-Identifier: GPL-2.0-only
//
// Canonical renumbering of the generation values present in a state
// (docs/generations.md explains why this keeps every verdict).
#include <algorithm>
#include <array>

#include "ctxsw/model/generations.h"
#include "kernel.h"

namespace ctxsw::kernel {

void renumber_generations(const Config &cfg, State &s) {
  // Slots in a fixed scan order; the global asid_generation is renumbered to
  // the largest value so that its increment still yields a fresh generation.
  std::array<uint8_t *, 1 + kMaxMms + 4 * kMaxCpus> slots{};
  size_t n = 0;
  for (int m = 0; m < cfg.nr_mms(); m++) slots[n++] = &s.mm[m].id.gen;
  for (int c = 0; c < cfg.cpus; c++) {
    CpuState &cs = s.cpu[c];
    slots[n++] = &cs.active.gen;
    slots[n++] = &cs.reserved.gen;
    slots[n++] = &cs.asid.gen;
    slots[n++] = &cs.old_active.gen;
  }
  // map[old] = new; 0 ("no generation", a zero context.id) stays 0.
  std::array<uint8_t, 256> map{};
  uint8_t next = 1;
  for (size_t i = 0; i < n; i++) {
    uint8_t g = *slots[i];
    if (g && g != s.generation && !map[g]) map[g] = next++;
  }
  map[s.generation] = next;
  for (size_t i = 0; i < n; i++)
    if (*slots[i]) *slots[i] = map[*slots[i]];
  s.generation = next;
}

}  // namespace ctxsw::kernel

namespace ctxsw {
void renumber_generations(const Config &cfg, State &s) { kernel::renumber_generations(cfg, s); }
}  // namespace ctxsw
