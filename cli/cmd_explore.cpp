// SPDX-License-Identifier: GPL-2.0-only
//
// ctxsw explore [FILE]: a stepping session on a trace (JSON, replayed first),
// a scenario (.scn), or the initial state of a configuration.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "commands.h"
#include "ctxsw/explore/repl.h"
#include "ctxsw/explore/session.h"
#include "ctxsw/formats/config_json.h"
#include "ctxsw/formats/scenario.h"
#include "options.h"
#include "trace_io.h"

namespace ctxsw::cli {
namespace {

struct ExploreOptions {
  ConfigOptions config;
  std::string file;
  long at = -1;
  std::vector<std::string> exec;
};

int run_explore(const ExploreOptions &o) {
  explore::Trace t;
  if (o.file.empty()) {
    if (auto e = build_config(o.config, t.cfg); !e.empty()) return usage_error(e);
  } else if (is_json_trace(o.file)) {
    explore::TraceFile tf;
    if (auto e = explore::load_trace(o.file, tf); !e.empty()) return usage_error(e);
    explore::ReplayOutcome r = explore::replay_trace(tf);
    if (!r.ok) {
      std::cerr << o.file << ": " << r.message << "\n";
      std::cerr << "ctxsw: the model does not reproduce this trace; exploring the " << r.trace.labels.size()
                << " steps that do\n";
    }
    t = std::move(r.trace);
  } else {
    Scenario sc;
    if (auto e = load_scenario(o.file, sc); !e.empty()) return usage_error(e);
    ReplayResult r = run_scenario(sc, nullptr);
    for (const std::string &f : r.failures) std::cerr << f << "\n";
    t = explore::trace_from_scenario(sc.cfg, r);
  }
  explore::Session s(std::move(t));
  std::cout << "configuration: " << config_summary(s.trace().cfg) << "\n";
  std::cout << s.trace().labels.size() << " steps";
  if (!s.trace().property.empty()) std::cout << "; at the end " << s.trace().property << " is violated";
  std::cout << "\n";
  int failed = 0;
  if (o.at >= 0) failed += !s.execute("goto " + std::to_string(o.at), std::cout);
  for (const std::string &cmd : o.exec) {
    std::cout << "ctxsw> " << cmd << "\n";
    failed += !s.execute(cmd, std::cout);
  }
  if (!o.exec.empty()) return failed ? 1 : 0;
  bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
  failed += explore::run_repl(s, std::cin, std::cout, tty);
  // Scripted sessions report failed commands through the exit status.
  return !tty && failed ? 1 : 0;
}

}  // namespace

void register_explore(CLI::App &app, int &status) {
  auto o = std::make_shared<ExploreOptions>();
  CLI::App *cmd = app.add_subcommand(
      "explore", "step through a trace (.json), a scenario (.scn) or a configuration's initial state interactively");
  cmd->add_option("file", o->file, "trace (.json) or scenario (.scn); without it, the configuration's initial state");
  add_config_options(cmd, o->config);
  cmd->add_option("--at", o->at, "start at step N");
  cmd->add_option("-e,--exec", o->exec, "run this command instead of reading commands (repeatable)");
  cmd->callback([o, &status] { status = run_explore(*o); });
}

}  // namespace ctxsw::cli
