// SPDX-License-Identifier: GPL-2.0-only
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ctxsw/model/config.h"
#include "ctxsw/model/pc.h"
#include "ctxsw/model/state.h"

namespace ctxsw::asmref {

// A program point inside check_and_switch_context()/cpu_switch_mm() or
// arm64_mm_context_get(): the real code runs these as one call.
bool in_allocator(Pc pc);

// "D a=1 b=x" → {a: 1, b: x}
inline std::map<std::string, std::string> parse_kv(const std::string &line) {
  std::map<std::string, std::string> kv;
  size_t i = line.find(' ');
  while (i != std::string::npos && i < line.size()) {
    size_t j = line.find(' ', i + 1);
    std::string tok = line.substr(i + 1, j == std::string::npos ? std::string::npos : j - i - 1);
    size_t eq = tok.find('=');
    if (eq != std::string::npos) kv[tok.substr(0, eq)] = tok.substr(eq + 1);
    i = j;
  }
  return kv;
}

// A number from a dump ("D key=value ..."), ~0 if absent.
uint64_t num(std::map<std::string, std::string> &kv, const std::string &k);

struct Field {
  std::string name, model, real;
};

// The allocator's state compared field by field with a dump of the real one
// (ctx_diff.cpp), in order: context.id of each live mm, asid_generation,
// asid_map, active/reserved_asids, tlb_flush_pending, cur_idx, cpu_asid_lock,
// pinned map/count, TTBR0/TTBR1, TLB flushes per CPU.
std::vector<Field> compare(const Config &cfg, const State &s, std::map<std::string, std::string> &kv,
                           const std::vector<uint64_t> &flush_expected, const std::vector<uint64_t> &flush_real);

}  // namespace ctxsw::asmref
