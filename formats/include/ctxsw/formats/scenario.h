// SPDX-License-Identifier: GPL-2.0-only
//
// Scenario files (examples/*.scn): a configuration, a sequence of steps and
// expected facts, written by hand. The format is documented in
// examples/README.md; a summary:
//
//   # comment                        title: one line shown by replay
//   cpus 2 | asid-bits 8 | fork 1 | option no-exit|no-tlb-fills|kthread-use-mm|pinned|kpti|cnp|allow-unsafe-config
//   mm a                             declares an address space
//   task A user a | task K kthread   declares a task
//   mutant NAME
//   cpu0 switch A                    __schedule() picks A, cpu0 runs until it is back in a task
//   cpu0 schedule A                  only the pick (rq->curr = A, A->on_cpu = 1)
//   cpu0 step [PC]                   cpu0's next atomic step (asserting its program point PC)
//   cpu0 run                         cpu0's steps until it has left the kernel path
//   cpu0 run-to PC                   cpu0's steps until its next step is PC
//   cpu0 exit_mm | do_task_dead | fork_process | fork_thread | kthread_use_mm a | kthread_unuse_mm
//        | mm_context_get | mm_context_put
//   set FIELD VALUE                  put the allocator in a given state (see README)
//   expect FIELD = VALUE | expect FIELD != VALUE   (generations: gN = asid_generation / ASID_FIRST_VERSION)
//   expect holds PROPERTY | expect violated PROPERTY
//   print                            the whole state
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "ctxsw/model/config.h"
#include "ctxsw/model/state.h"
#include "ctxsw/model/step.h"

namespace ctxsw {

struct ScenarioCmd {
  enum Kind { act, step, run, run_to, switch_to_task, set, expect_eq, expect_ne, expect_holds, expect_violated, print };
  Kind kind;
  int line = 0;
  int cpu = -1;
  std::string what;   // action name, pc name, field or property
  std::string value;  // argument, expected value
};

struct Scenario {
  std::string path;
  std::string title;
  Config cfg;
  std::vector<ScenarioCmd> cmds;
};

// Parses a scenario; returns "" or "PATH:LINE: message".
std::string parse_scenario(std::istream &in, const std::string &path, Scenario &out);
std::string load_scenario(const std::string &path, Scenario &out);

struct ReplayStep {
  Step step;
  State after;
  int line;
};

struct ReplayResult {
  std::vector<std::string> failures;  // "PATH:LINE: expected ..., got ..."
  std::vector<ReplayStep> steps;
  State initial;
  int expectations = 0;
  bool ok() const { return failures.empty(); }
};

// Replays the scenario through the model. With `out`, prints each step and
// the fields it changed (the whole state after `print` lines, or after
// every step with `full`).
ReplayResult run_scenario(const Scenario &sc, std::ostream *out, bool full = false);

}  // namespace ctxsw
