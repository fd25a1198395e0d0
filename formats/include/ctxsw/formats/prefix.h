// SPDX-License-Identifier: GPL-2.0-only
//
// A scenario's steps as the prefix of an exhaustive run (ctxsw check --from
// FILE[:LINE]): the checker explores everything reachable from the state the
// steps lead to, and reports counterexamples as prefix + shortest suffix.
#pragma once

#include <string>
#include <vector>

#include "ctxsw/model/config.h"
#include "ctxsw/model/state.h"
#include "ctxsw/model/step.h"

namespace ctxsw {

struct Prefix {
  std::string origin;         // "FILE" or "FILE:LINE", as given
  std::vector<State> states;  // states[0]: the model's initial state; back(): the start
  std::vector<Step> steps;    // steps[i] leads from states[i] to states[i+1]
  int skipped_expectations = 0;
};

// "FILE" or "FILE:LINE" (LINE all digits), as --from takes it.
struct FromSpec {
  std::string spec;  // as given
  std::string path;
  int line = 0;  // 0: the whole file
};

// Splits spec into its parts. Returns "" or a one-line error.
std::string parse_from_spec(const std::string &spec, FromSpec &out);

// Replays the steps of the scenario `from` names (up to and including its
// line) under cfg, with the checker's generation renumbering. `expect` lines
// are not checked (ctxsw replay does that); a step that is not enabled, or a
// `set` line (its state need not be reachable), is an error "FILE:LINE: ...".
std::string replay_prefix(const FromSpec &from, const Config &cfg, Prefix &out);

}  // namespace ctxsw
