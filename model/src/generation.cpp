// SPDX-License-Identifier: GPL-2.0-only
//
// Order-preserving dense renumbering of the generation values present in a
// state (docs/generations.md explains why this keeps every verdict).
#include <algorithm>
#include <array>

#include "kernel.h"

namespace ctxsw::kernel {

void renumber_generations(const Config &cfg, State &s) {
  std::array<uint8_t *, 1 + kMaxMms + 4 * kMaxCpus> slots{};
  size_t n = 0;
  slots[n++] = &s.generation;
  for (int m = 0; m < cfg.nr_mms(); m++) slots[n++] = &s.mm[m].id.gen;
  for (int c = 0; c < cfg.cpus; c++) {
    CpuState &cs = s.cpu[c];
    slots[n++] = &cs.active.gen;
    slots[n++] = &cs.reserved.gen;
    slots[n++] = &cs.asid.gen;
    slots[n++] = &cs.old_active.gen;
  }
  // Present values, 0 ("no generation", the value of a zero context.id) kept as 0.
  std::array<uint8_t, slots.size()> vals{};
  size_t nv = 0;
  for (size_t i = 0; i < n; i++)
    if (*slots[i]) vals[nv++] = *slots[i];
  std::sort(vals.begin(), vals.begin() + nv);
  nv = static_cast<size_t>(std::unique(vals.begin(), vals.begin() + nv) - vals.begin());
  if (nv == 0 || vals[nv - 1] == nv) return;  // already dense
  for (size_t i = 0; i < n; i++) {
    if (!*slots[i]) continue;
    auto it = std::lower_bound(vals.begin(), vals.begin() + nv, *slots[i]);
    *slots[i] = static_cast<uint8_t>(it - vals.begin() + 1);
  }
}

}  // namespace ctxsw::kernel
