// SPDX-License-Identifier: GPL-2.0-only
#include "ctxsw/report/report.h"

#include <fmt/format.h>

#include <ostream>

#include "ctxsw/formats/config_json.h"
#include "ctxsw/model/describe.h"

namespace ctxsw::report {

using nlohmann::json;

int exit_code(const CheckResult &r) {
  switch (r.verdict) {
    case checker::Verdict::holds:
      return 0;
    case checker::Verdict::violated:
      return 1;
    case checker::Verdict::incomplete:
      return 3;
  }
  return 3;
}

namespace {

std::string verdict_of(const checker::CtxswSystem &sys, const CheckResult &r, const Property &p) {
  if (r.verdict == checker::Verdict::violated && sys.property(r.violated) == &p) return "VIOLATED";
  if (r.verdict == checker::Verdict::holds) return "holds";
  if (r.verdict == checker::Verdict::incomplete) return "no violation found (incomplete)";
  return "not violated before the first violation";
}

bool checked(const checker::CtxswSystem &sys, const Property &p) {
  if (p.kind == PropertyKind::deadlock) return sys.check_deadlock();
  for (size_t i = 0; i < sys.num_invariants(); i++)
    if (sys.property(static_cast<long>(i)) == &p) return true;
  return false;
}

}  // namespace

void print_trace(std::ostream &out, const Config &cfg, const std::vector<State> &states,
                 const std::vector<Step> &labels) {
  for (size_t i = 0; i < labels.size(); i++) {
    out << fmt::format("  {:>3}. {}\n", i + 1, describe_step(cfg, labels[i]));
    for (const Field &f : changed_fields(cfg, states[i], states[i + 1]))
      out << fmt::format("         {} = {}\n", f.name, f.value);
  }
}

void print_check(std::ostream &out, const checker::CtxswSystem &sys, const CheckResult &r, const Start &start) {
  const Config &cfg = sys.model().config();
  out << "configuration: " << config_summary(cfg) << "\n";
  if (!start.origin.empty())
    out << fmt::format("start: the state after {} ({} steps); counts are of the states reachable from it\n",
                       start.origin, start.prefix_steps);
  const char *v = r.verdict == checker::Verdict::holds      ? "all properties hold (exhaustive)"
                  : r.verdict == checker::Verdict::violated ? "VIOLATION"
                                                            : "INCOMPLETE";
  out << fmt::format(
      "explored: {} distinct states, {} transitions, depth {}, {:.2f} s ({:.0f} states/s, {:.0f} "
      "bytes/state)\n",
      r.states, r.transitions, r.depth, r.seconds, r.seconds > 0 ? double(r.states) / r.seconds : 0.0,
      r.bytes_per_state);
  if (r.bitstate.bytes)
    out << fmt::format(
        "bitstate: {} MiB, {} bits per state, {:.2f}% set; a state never seen is taken as seen with probability "
        "{:.2g} now: at most ~{:.2g} states expected skipped (and what only they lead to)\n",
        r.bitstate.bytes >> 20, r.bitstate.hashes, 100 * r.bitstate.fill, r.bitstate.false_positive_rate,
        r.bitstate.expected_misses);
  if (r.verdict == checker::Verdict::incomplete && r.stop_reason == checker::kBitstateReason)
    out << fmt::format("finished: every state reached was expanded, but {}\n", r.stop_reason);
  else if (r.verdict == checker::Verdict::incomplete)
    out << fmt::format("stopped: {} after {} states at depth {}, {} states still queued\n", r.stop_reason, r.states,
                       r.depth, r.queue_left);
  out << "verdict: " << v << "\n";
  for (const Property &p : all_properties()) {
    if (!checked(sys, p)) continue;
    out << fmt::format("  {:<26} {}\n", p.name, verdict_of(sys, r, p));
  }
  if (r.verdict == checker::Verdict::violated) {
    const Property *p = sys.property(r.violated);
    out << fmt::format("\n{} violated: {}\n", p ? p->name : "?", r.detail);
    if (p) out << "  protects: " << p->protects << "\n";
    // A bitstate search may have skipped a shorter one.
    const char *shortest = r.bitstate.bytes ? "the shortest among the states the bitstate search reached" : "";
    if (start.origin.empty() && !*shortest)
      out << fmt::format("shortest counterexample ({} steps):\n", r.trace_labels.size());
    else if (start.origin.empty())
      out << fmt::format("counterexample ({} steps, {}):\n", r.trace_labels.size(), shortest);
    else
      out << fmt::format("counterexample ({} steps: {} from {}, then {}, {} steps):\n", r.trace_labels.size(),
                         start.prefix_steps, start.origin, *shortest ? shortest : "the shortest continuation",
                         r.trace_labels.size() - start.prefix_steps);
    print_trace(out, cfg, r.trace_states, r.trace_labels);
  }
}

json trace_to_json(const Config &cfg, const std::vector<State> &states, const std::vector<Step> &labels,
                   const std::string &property, const std::string &detail) {
  auto state_json = [&](const State &s) {
    json o = json::object();
    for (const Field &f : describe_state(cfg, s)) o[f.name] = f.value;
    return o;
  };
  json steps = json::array();
  for (size_t i = 0; i < labels.size(); i++) {
    const Step &l = labels[i];
    json st = {{"cpu", l.cpu},
               {"function", std::string(step_function(l))},
               {"action", step_token(cfg, l)},
               {"description", describe_step(cfg, l)},
               {"state", state_json(states[i + 1])}};
    // The operand by name (ctxsw replay matches it when present).
    if (l.action == Action::schedule || l.action == Action::fork_process || l.action == Action::fork_thread)
      st["arg"] = cfg.task_name(l.arg);
    else if (l.action != Action::step && l.arg != kNone)
      st["arg"] = cfg.mm_name(l.arg);
    steps.push_back(std::move(st));
  }
  json j = {{"format", "ctxsw-trace-1"},
            {"configuration", config_to_json(cfg)},
            {"mutant", std::string(mutant_info(cfg.mutant).name)},
            {"initial_state", states.empty() ? json::object() : state_json(states[0])},
            {"steps", steps}};
  // Field names in the model's order (JSON objects do not keep it); readers
  // that do not know this key ignore it.
  json names = json::array();
  if (!states.empty())
    for (const Field &f : describe_state(cfg, states[0])) names.push_back(f.name);
  j["fields"] = names;
  if (!property.empty()) j["violated"] = {{"property", property}, {"detail", detail}};
  return j;
}

json check_to_json(const checker::CtxswSystem &sys, const CheckResult &r, const Start &start) {
  const Config &cfg = sys.model().config();
  json props = json::object();
  for (const Property &p : all_properties())
    if (checked(sys, p)) props[std::string(p.name)] = verdict_of(sys, r, p);
  const char *v = r.verdict == checker::Verdict::holds      ? "holds"
                  : r.verdict == checker::Verdict::violated ? "violated"
                                                            : "incomplete";
  json j = {{"configuration", config_to_json(cfg)},
            {"verdict", v},
            {"exhaustive", r.verdict == checker::Verdict::holds},
            {"states", r.states},
            {"transitions", r.transitions},
            {"depth", r.depth},
            {"seconds", r.seconds},
            {"bytes_per_state", r.bytes_per_state},
            {"properties", props}};
  if (!start.origin.empty()) j["from"] = {{"scenario", start.origin}, {"prefix_steps", start.prefix_steps}};
  if (r.verdict == checker::Verdict::incomplete)
    j["incomplete"] = {{"reason", r.stop_reason}, {"queue_left", r.queue_left}};
  if (r.bitstate.bytes)
    j["bitstate"] = {{"bytes", r.bitstate.bytes},
                     {"hashes", r.bitstate.hashes},
                     {"fill", r.bitstate.fill},
                     {"false_positive_rate", r.bitstate.false_positive_rate},
                     {"expected_misses", r.bitstate.expected_misses}};
  if (r.verdict == checker::Verdict::violated) {
    const Property *p = sys.property(r.violated);
    j["counterexample"] = trace_to_json(cfg, r.trace_states, r.trace_labels, p ? std::string(p->name) : "?", r.detail);
  }
  return j;
}

}  // namespace ctxsw::report
