// SPDX-License-Identifier: GPL-2.0-only
#include "ctxsw/formats/prefix.h"

#include <algorithm>

#include "ctxsw/formats/scenario.h"
#include "ctxsw/model/model.h"

namespace ctxsw {

std::string parse_from_spec(const std::string &spec, FromSpec &out) {
  out = FromSpec{spec, spec, 0};
  size_t colon = spec.rfind(':');
  if (colon == std::string::npos || colon + 1 == spec.size()) return "";
  std::string tail = spec.substr(colon + 1);
  if (!std::all_of(tail.begin(), tail.end(), [](char c) { return c >= '0' && c <= '9'; })) return "";
  if (tail.size() > 6 || std::stoi(tail) < 1) return "--from: line number out of range in '" + spec + "'";
  out.path = spec.substr(0, colon);
  out.line = std::stoi(tail);
  return "";
}

std::string replay_prefix(const FromSpec &from, const Config &cfg, Prefix &out) {
  const std::string &path = from.path;
  const int last_line = from.line;
  Scenario sc;
  if (auto e = load_scenario(path, sc); !e.empty()) return e;
  sc.cfg = cfg;
  out = Prefix{};
  out.origin = from.spec;
  std::vector<ScenarioCmd> steps;
  for (const ScenarioCmd &c : sc.cmds) {
    if (last_line && c.line > last_line) break;
    switch (c.kind) {
      case ScenarioCmd::set:
        return path + ":" + std::to_string(c.line) +
               ": --from cannot start after a 'set' line: the state it makes need not be reachable";
      case ScenarioCmd::expect_eq:
      case ScenarioCmd::expect_ne:
      case ScenarioCmd::expect_holds:
      case ScenarioCmd::expect_violated:
        out.skipped_expectations++;
        break;
      case ScenarioCmd::print:
        break;
      default:
        steps.push_back(c);
    }
  }
  sc.cmds = std::move(steps);
  ReplayResult r = run_scenario(sc, nullptr);
  if (!r.ok()) return r.failures.front();

  // The scenario runner keeps the kernel's generation numbers; the checker
  // renumbers them after every step (docs/generations.md). Renumbering
  // preserves equality, so the same steps are enabled in the same order.
  Model model(cfg);
  out.states.push_back(model.initial_state());
  for (const ReplayStep &rs : r.steps) {
    auto n = model.apply(out.states.back(), rs.step);
    if (!n) return path + ":" + std::to_string(rs.line) + ": step not enabled under generation renumbering (model bug)";
    out.states.push_back(*n);
    out.steps.push_back(rs.step);
  }
  return "";
}

}  // namespace ctxsw
