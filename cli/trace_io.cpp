// SPDX-License-Identifier: GPL-2.0-only
#include "trace_io.h"

#include <cstdio>
#include <fstream>

#include "ctxsw/explore/html.h"

namespace ctxsw::cli {

bool is_json_trace(const std::string &path) {
  if (path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0) return true;
  std::ifstream in(path);
  char c = 0;
  while (in.get(c) && (c == ' ' || c == '\n' || c == '\t' || c == '\r')) {
  }
  return c == '{';
}

bool write_whole_file(const std::string &path, const std::string &text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp);
    if (!f || !(f << text)) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

std::string write_trace_outputs(const explore::Trace &t, const std::string &trace_out, const std::string &html) {
  if (!trace_out.empty() && !write_whole_file(trace_out, explore::trace_to_json(t).dump(2) + "\n"))
    return "--trace-out: cannot write " + trace_out;
  if (!html.empty() && !write_whole_file(html, explore::trace_html(t))) return "--html: cannot write " + html;
  return "";
}

}  // namespace ctxsw::cli
