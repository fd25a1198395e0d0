// SPDX-License-Identifier: GPL-2.0-only
//
// Trace files ("ctxsw-trace-1", written by report::trace_to_json): reading
// them back and replaying them through the current model. A trace records
// each step by CPU, action token ("schedule B", "step casc_cmpxchg") and
// operand name, and the full state after it as named fields; replay takes
// the matching enabled step and compares every recorded field, so a trace
// either reproduces exactly or fails naming the first step that diverges.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ctxsw/model/config.h"
#include "ctxsw/model/state.h"
#include "ctxsw/model/step.h"

namespace ctxsw {
struct ReplayResult;
}

namespace ctxsw::explore {

// A path through the model: states[0] is the start, labels[i] leads from
// states[i] to states[i+1].
struct Trace {
  Config cfg;
  std::vector<State> states;
  std::vector<Step> labels;
  std::string property;  // the violated property ("" if none)
  std::string detail;    // its message at the last state
};

// One recorded step as read from the file (before replay).
struct TraceStepRecord {
  int cpu = -1;
  std::string action;    // step token
  std::string arg;       // operand name, "" when not recorded
  nlohmann::json state;  // recorded fields after the step (object; may be partial)
};

struct TraceFile {
  std::string path;
  Config cfg;
  nlohmann::json initial_state;  // object (may be empty)
  std::vector<TraceStepRecord> steps;
  std::string property, detail;  // "violated" section
};

// Parses a trace file. Returns "" or a one-line error "PATH: ..." naming the
// step or field that is malformed.
std::string parse_trace(const nlohmann::json &j, const std::string &path, TraceFile &out);
std::string load_trace(const std::string &path, TraceFile &out);

struct ReplayOutcome {
  bool ok = false;
  int diverged_at = -1;  // 0 = initial state, k = step k (1-based); -1 when ok
  std::string message;   // "step 4 (cpu0 step switch_to): ..." when not ok
  Trace trace;           // the states the model produced up to the divergence
};

// Replays through the model. Checks the initial state, each step's
// enabledness and recorded state, and that the recorded property is
// violated at the end (sched.no_deadlock: nothing enabled, not quiescent).
ReplayOutcome replay_trace(const TraceFile &tf);

// The operand name of a step as trace files record it ("" if none).
std::string step_arg_name(const Config &cfg, const Step &s);

// The first property violated at the end of the trace (deadlock included),
// as {name, message}; empty name when all hold.
std::pair<std::string, std::string> violated_at_end(const Config &cfg, const State &last);

// The path a replayed scenario took (examples/*.scn). `set` lines change
// the state outside the model; such a trace shows them as jumps and does not
// replay from the initial state, so `jumps` counts them.
Trace trace_from_scenario(const Config &cfg, const ctxsw::ReplayResult &r, int *jumps = nullptr);

// Serialises (report::trace_to_json).
nlohmann::json trace_to_json(const Trace &t);

}  // namespace ctxsw::explore
