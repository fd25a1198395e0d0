// SPDX-License-Identifier: GPL-2.0-only
//
// ctxsw replay FILE: replays a scenario (examples/*.scn) through the model,
// printing each step and what it changed, and checks its expectations.
#include <iostream>
#include <memory>

#include "commands.h"
#include "ctxsw/formats/scenario.h"
#include "ctxsw/model/describe.h"
#include "ctxsw/model/model.h"
#include "options.h"

namespace ctxsw::cli {
namespace {

struct ReplayOptions {
  std::string file;
  bool full = false;
  bool fields = false;
  bool quiet = false;
};

int run_replay(const ReplayOptions &o) {
  Scenario sc;
  if (auto e = load_scenario(o.file, sc); !e.empty()) return usage_error(e);
  if (o.fields) {
    Model m(sc.cfg);
    for (const Field &f : describe_state(sc.cfg, m.initial_state())) std::cout << f.name << "\n";
    return 0;
  }
  ReplayResult r = run_scenario(sc, o.quiet ? nullptr : &std::cout, o.full);
  for (const std::string &f : r.failures) std::cerr << f << "\n";
  std::cout << (r.ok() ? "PASS" : "FAIL") << ": " << o.file << ": " << r.steps.size() << " steps, "
            << r.expectations << " expectations, " << r.failures.size() << " failed\n";
  return r.ok() ? 0 : 1;
}

}  // namespace

void register_replay(CLI::App &app, int &status) {
  auto o = std::make_shared<ReplayOptions>();
  CLI::App *cmd = app.add_subcommand("replay", "replay a scenario file step by step and check its expectations");
  cmd->add_option("file", o->file, "scenario (.scn)")->required();
  cmd->add_flag("--full", o->full, "print the whole state after every step");
  cmd->add_flag("--fields", o->fields, "list the field names expectations can use");
  cmd->add_flag("--quiet", o->quiet, "print only the verdict");
  cmd->callback([o, &status] { status = run_replay(*o); });
}

}  // namespace ctxsw::cli
