// SPDX-License-Identifier: GPL-2.0-only
#include "ctxsw/explore/repl.h"

#include <readline/history.h>
#include <readline/readline.h>

#include <cstdlib>
#include <cstring>
#include <istream>
#include <ostream>
#include <string>

namespace ctxsw::explore {
namespace {

constexpr const char *kPrompt = "ctxsw> ";

char *command_generator(const char *text, int state) {
  static size_t idx;
  if (state == 0) idx = 0;
  const auto &cmds = Session::commands();
  size_t len = std::strlen(text);
  while (idx < cmds.size()) {
    const std::string &c = cmds[idx++];
    if (c.compare(0, len, text) == 0) return strdup(c.c_str());
  }
  return nullptr;
}

char **complete(const char *text, int start, int) {
  if (start != 0) return nullptr;  // file names for arguments (readline's default)
  rl_attempted_completion_over = 1;
  return rl_completion_matches(text, command_generator);
}

std::string history_file() {
  const char *home = std::getenv("HOME");
  return home ? std::string(home) + "/.ctxsw_history" : "";
}

}  // namespace

int run_repl(Session &s, std::istream &in, std::ostream &out, bool interactive) {
  int failed = 0;
  if (interactive) {
    rl_readline_name = "ctxsw";
    rl_attempted_completion_function = complete;
    std::string hist = history_file();
    if (!hist.empty()) read_history(hist.c_str());
    out << "type 'help' for the commands, 'enabled' for the steps you can take\n";
    while (!s.done()) {
      out.flush();
      char *line = readline(kPrompt);
      if (!line) break;
      std::string l(line);
      if (!l.empty()) add_history(line);
      std::free(line);
      failed += !s.execute(l, out);
    }
    if (!hist.empty()) {
      write_history(hist.c_str());
      history_truncate_file(hist.c_str(), 1000);
    }
    return failed;
  }
  for (std::string l; !s.done() && std::getline(in, l);) {
    out << kPrompt << l << "\n";
    failed += !s.execute(l, out);
  }
  return failed;
}

}  // namespace ctxsw::explore
