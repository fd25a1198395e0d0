// SPDX-License-Identifier: GPL-2.0-only
//
// How much of the machine a check may use, said before the run, and a
// warning as soon as the run's own growth shows it will not fit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ctxsw/checker/explorer.h"

namespace ctxsw::cli {

// "16G", "512M", "4096" (bytes; K/M/G or KiB/MiB/GiB) → bytes; 0 on error.
uint64_t parse_size(const std::string &s);

// MemAvailable from /proc/meminfo, in bytes (0 if unknown).
uint64_t available_memory();

struct MemoryPlan {
  uint64_t limit = 0;          // bytes the state store may use
  bool user_limit = false;     // --max-memory, rather than 90 % of MemAvailable
  uint64_t available = 0;      // MemAvailable when the run started
  double bytes_per_state = 0;  // expected (CtxswSystem::expected_bytes_per_state)
  uint64_t bitstate = 0;       // bytes of bitstate hashing (--bitstate); the rest holds the levels being expanded
  uint64_t room() const { return bytes_per_state > 0 ? uint64_t(double(limit) / bytes_per_state) : 0; }
};

// --max-memory when given, else 90 % of the memory available now, so that a
// run too large for the machine ends with verdict incomplete rather than
// being killed by the OOM killer.
MemoryPlan plan_memory(uint64_t user_limit, double bytes_per_state, uint64_t bitstate = 0);

// "memory: ~79 B per state, limit 20.1 GiB (90% of available): room for ~273 M states"
// (with --bitstate: "memory: 8.0 GiB of bitstate hashing for the expanded levels; the levels being expanded
// have the rest of the limit 15.0 GiB (--max-memory)")
std::string describe(const MemoryPlan &p);

// Watches the BFS levels go by. Breadth-first levels of these models rise
// and then fall; a run whose frontier is still growing has, so far, stored
// at most about half of what it will store. When twice the stored states no
// longer fit, say so once, with the figures. (Not with --bitstate, whose
// table holds two levels, not every state.)
class GrowthWatch {
 public:
  explicit GrowthWatch(const MemoryPlan &p) : plan_(p) {}
  std::optional<std::string> observe(const checker::Progress &p);

 private:
  MemoryPlan plan_;
  int depth_ = -1;
  uint64_t last_level_ = 0, level_before_ = 0;
  bool warned_ = false;
};

}  // namespace ctxsw::cli
