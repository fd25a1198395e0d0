// SPDX-License-Identifier: GPL-2.0-only
#include "memory.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace ctxsw::cli {

uint64_t parse_size(const std::string &s) {
  if (s.empty() || s[0] < '0' || s[0] > '9') return 0;  // stoull would take "-5" and " 5"
  size_t pos = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(s, &pos);
  } catch (...) {
    return 0;
  }
  const std::string suf = s.substr(pos);
  int shift = -1;
  if (suf == "" || suf == "B") shift = 0;
  if (suf == "K" || suf == "KiB") shift = 10;
  if (suf == "M" || suf == "MiB") shift = 20;
  if (suf == "G" || suf == "GiB") shift = 30;
  if (shift < 0 || v > (~0ull >> shift)) return 0;
  return v << shift;
}

uint64_t available_memory() {
  std::ifstream f("/proc/meminfo");
  std::string line;
  while (std::getline(f, line)) {
    std::istringstream in(line);
    std::string key;
    uint64_t kib = 0;
    if (in >> key >> kib && key == "MemAvailable:") return kib << 10;
  }
  return 0;
}

MemoryPlan plan_memory(uint64_t user_limit, double bytes_per_state, uint64_t bitstate) {
  MemoryPlan p;
  p.bytes_per_state = bytes_per_state;
  p.bitstate = bitstate;
  p.user_limit = user_limit != 0;
  p.available = available_memory();
  p.limit = user_limit ? user_limit : p.available / 10 * 9;
  return p;
}

namespace {
std::string gib(double bytes) {
  if (bytes < double(uint64_t{1} << 30)) return fmt::format("{:.0f} MiB", bytes / double(uint64_t{1} << 20));
  return fmt::format("{:.1f} GiB", bytes / double(uint64_t{1} << 30));
}
std::string millions(double n) { return n >= 1e6 ? fmt::format("{:.0f} M", n / 1e6) : fmt::format("{:.0f}", n); }
}  // namespace

std::string describe(const MemoryPlan &p) {
  if (!p.limit) return fmt::format("memory: ~{:.0f} B per state, no limit known", p.bytes_per_state);
  std::string s =
      p.bitstate
          ? fmt::format(
                "memory: {} of bitstate hashing for the expanded levels; the levels being expanded have the "
                "rest of the limit {} ({})",
                gib(double(p.bitstate)), gib(double(p.limit)), p.user_limit ? "--max-memory" : "90% of available")
          : fmt::format("memory: ~{:.0f} B per state, limit {} ({}): room for ~{} states", p.bytes_per_state,
                        gib(double(p.limit)), p.user_limit ? "--max-memory" : "90% of available",
                        millions(double(p.room())));
  if (p.user_limit && p.available && p.limit > p.available)
    s += fmt::format(
        "\nwarning: --max-memory is more than the {} available now; the run may be killed before "
        "it reaches it",
        gib(double(p.available)));
  return s;
}

std::optional<std::string> GrowthWatch::observe(const checker::Progress &p) {
  if (warned_ || !plan_.limit || plan_.bitstate) return std::nullopt;
  // The queue when a new level is first seen is (about) that level's size.
  if (p.depth != depth_) {
    level_before_ = last_level_;
    last_level_ = p.queue;
    depth_ = p.depth;
  }
  const bool growing = level_before_ > 0 && last_level_ > level_before_;
  if (!growing || 2 * p.states <= plan_.room()) return std::nullopt;
  warned_ = true;
  return fmt::format(
      "warning: {} states stored and the breadth-first frontier still growing at depth {}: this run will likely "
      "need more than twice that, over the ~{} states that fit in {}; expect verdict incomplete (try a smaller "
      "configuration, or --from a scenario)",
      millions(double(p.states)), p.depth, millions(double(plan_.room())), gib(double(plan_.limit)));
}

}  // namespace ctxsw::cli
