// SPDX-License-Identifier: GPL-2.0-only
//
// ctxsw replay FILE: replays a scenario (examples/*.scn) through the model,
// printing each step and what it changed, and checks its expectations; or
// replays a JSON trace (a counterexample written by --trace-out, or a walk
// saved by `ctxsw explore`) and confirms that it reproduces, or names the
// step at which the model diverges from it.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "commands.h"
#include "ctxsw/explore/trace.h"
#include "ctxsw/formats/scenario.h"
#include "ctxsw/model/describe.h"
#include "ctxsw/model/model.h"
#include "options.h"
#include "trace_io.h"

namespace ctxsw::cli {
namespace {

struct ReplayOptions {
  std::string file;
  bool full = false;
  bool fields = false;
  bool quiet = false;
  std::string trace_out;
  std::string html;
};

void print_fields(const std::vector<Field> &fields) {
  for (const Field &f : fields) std::cout << "      " << f.name << " = " << f.value << "\n";
}

int replay_json(const ReplayOptions &o) {
  explore::TraceFile tf;
  if (auto e = explore::load_trace(o.file, tf); !e.empty()) return usage_error(e);
  if (o.fields) {
    for (const Field &f : describe_state(tf.cfg, Model(tf.cfg).initial_state())) std::cout << f.name << "\n";
    return 0;
  }
  explore::ReplayOutcome r = explore::replay_trace(tf);
  // A trace whose first state is not its configuration's initial state was
  // not written for that configuration (or was edited): bad input, not a
  // divergence of the model.
  if (!r.ok && r.diverged_at == 0)
    return usage_error(o.file + ": " + r.message + " (not a trace of the configuration it records)");
  const explore::Trace &t = r.trace;
  if (!o.quiet) {
    std::cout << "initial state:\n";
    if (o.full) print_fields(describe_state(t.cfg, t.states[0]));
    for (size_t i = 0; i < t.labels.size(); i++) {
      std::cout << "[" << i + 1 << "] " << describe_step(t.cfg, t.labels[i]) << "\n";
      print_fields(o.full ? describe_state(t.cfg, t.states[i + 1])
                          : changed_fields(t.cfg, t.states[i], t.states[i + 1]));
    }
  }
  if (!r.ok) {
    std::cerr << o.file << ": " << r.message << "\n";
    std::cout << fmt::format("DIVERGED: {}: at {}: the model does not reproduce this trace\n", o.file,
                             r.diverged_at == 0 ? std::string("the initial state")
                                                : fmt::format("step {} of {}", r.diverged_at, tf.steps.size()));
    return 1;
  }
  if (auto e = write_trace_outputs(t, o.trace_out, o.html); !e.empty()) return usage_error(e);
  std::cout << fmt::format("REPRODUCED: {}: {} steps{}\n", o.file, t.labels.size(),
                           tf.property.empty() ? std::string(", every recorded state matches")
                                               : ", " + t.property + " violated: " + t.detail);
  return 0;
}

int run_replay(const ReplayOptions &o) {
  if (is_json_trace(o.file)) return replay_json(o);
  Scenario sc;
  if (auto e = load_scenario(o.file, sc); !e.empty()) return usage_error(e);
  if (o.fields) {
    Model m(sc.cfg);
    for (const Field &f : describe_state(sc.cfg, m.initial_state())) std::cout << f.name << "\n";
    return 0;
  }
  ReplayResult r = run_scenario(sc, o.quiet ? nullptr : &std::cout, o.full);
  for (const std::string &f : r.failures) std::cerr << f << "\n";
  if (!o.trace_out.empty() || !o.html.empty()) {
    int jumps = 0;
    explore::Trace t = explore::trace_from_scenario(sc.cfg, r, &jumps);
    if (jumps && !o.trace_out.empty())
      std::cerr << o.file
                << ": note: its `set` lines put the allocator in a state the model did not reach; the "
                   "trace written shows them as jumps and will not replay\n";
    if (auto e = write_trace_outputs(t, o.trace_out, o.html); !e.empty()) return usage_error(e);
  }
  std::cout << (r.ok() ? "PASS" : "FAIL") << ": " << o.file << ": " << r.steps.size() << " steps, " << r.expectations
            << " expectations, " << r.failures.size() << " failed\n";
  return r.ok() ? 0 : 1;
}

}  // namespace

void register_replay(CLI::App &app, int &status) {
  auto o = std::make_shared<ReplayOptions>();
  CLI::App *cmd = app.add_subcommand(
      "replay", "replay a scenario (.scn) and check its expectations, or a JSON trace and confirm it reproduces");
  cmd->add_option("file", o->file, "scenario (.scn) or trace (.json)")->required();
  cmd->add_flag("--full", o->full, "print the whole state after every step");
  cmd->add_flag("--fields", o->fields, "list the field names expectations can use");
  cmd->add_flag("--quiet", o->quiet, "print only the verdict");
  cmd->add_option("--trace-out", o->trace_out, "write the replayed steps as a JSON trace");
  cmd->add_option("--html", o->html, "write the replayed steps as a self-contained HTML viewer");
  cmd->callback([o, &status] { status = run_replay(*o); });
}

}  // namespace ctxsw::cli
