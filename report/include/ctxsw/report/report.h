// SPDX-License-Identifier: GPL-2.0-only
//
// What a check run tells its user: text for people, JSON for machines, and
// counterexample traces in both forms.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ctxsw/checker/ctxsw_system.h"
#include "ctxsw/checker/explorer.h"

namespace ctxsw::report {

using CheckResult = checker::Result<checker::CtxswSystem>;

// Exit status of `ctxsw check`: 0 all hold, 1 violation, 3 incomplete.
int exit_code(const CheckResult &r);

// Where a run began: the model's initial state (empty origin), or the state a
// scenario's steps reach (check --from FILE[:LINE]); the counterexample then
// starts with those prefix_steps and continues with the shortest suffix.
struct Start {
  std::string origin;
  size_t prefix_steps = 0;
};

void print_check(std::ostream &out, const checker::CtxswSystem &sys, const CheckResult &r, const Start &start = {});
nlohmann::json check_to_json(const checker::CtxswSystem &sys, const CheckResult &r, const Start &start = {});

// A trace: states[0] is the initial state, labels[i] leads to states[i+1].
void print_trace(std::ostream &out, const Config &cfg, const std::vector<State> &states,
                 const std::vector<Step> &labels);
nlohmann::json trace_to_json(const Config &cfg, const std::vector<State> &states, const std::vector<Step> &labels,
                             const std::string &property, const std::string &detail);

}  // namespace ctxsw::report
