// SPDX-License-Identifier: GPL-2.0-only
#pragma once

#include <map>
#include <string>

#include "ctxsw/model/pc.h"

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

}  // namespace ctxsw::asmref
