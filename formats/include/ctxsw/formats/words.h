// SPDX-License-Identifier: GPL-2.0-only
//
// The tokenising shared by the line-oriented inputs (scenario files, the
// explorer's commands).
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace ctxsw {

// The whitespace-separated words of a line.
inline std::vector<std::string> split_words(const std::string &line) {
  std::vector<std::string> w;
  std::istringstream is(line);
  for (std::string x; is >> x;) w.push_back(x);
  return w;
}

// A non-negative decimal of at most max_digits digits (no sign, no spaces).
inline bool parse_decimal(const std::string &s, size_t max_digits, long &v) {
  if (s.empty() || s.size() > max_digits) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  v = std::stol(s);
  return true;
}

}  // namespace ctxsw
