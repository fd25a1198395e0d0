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

// Splits "FILE:LINE" (LINE all digits) into its parts; line is 0 without one.
// Returns "" or a one-line error.
std::string split_from_spec(const std::string &spec, std::string &path, int &line);

// Replays the steps of the scenario `spec` names (up to and including LINE)
// under cfg, with the checker's generation renumbering. `expect` lines are
// not checked (ctxsw replay does that); a step that is not enabled, or a
// `set` line (its state need not be reachable), is an error "FILE:LINE: ...".
std::string replay_prefix(const std::string &spec, const Config &cfg, Prefix &out);

}  // namespace ctxsw
