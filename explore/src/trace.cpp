// SPDX-License-Identifier: GPL-2.0-only
#include "ctxsw/explore/trace.h"

#include <fmt/format.h>

#include <fstream>

#include "ctxsw/formats/config_json.h"
#include "ctxsw/formats/scenario.h"
#include "ctxsw/model/describe.h"
#include "ctxsw/model/model.h"
#include "ctxsw/properties/properties.h"
#include "ctxsw/report/report.h"

namespace ctxsw::explore {

using nlohmann::json;

std::string step_arg_name(const Config &cfg, const Step &s) {
  if (s.action == Action::schedule || s.action == Action::fork_process || s.action == Action::fork_thread)
    return cfg.task_name(s.arg);
  if (s.action != Action::step && s.arg != kNone) return cfg.mm_name(s.arg);
  return "";
}

std::string parse_trace(const json &j, const std::string &path, TraceFile &out) {
  auto err = [&](const std::string &m) { return path + ": " + m; };
  if (!j.is_object()) return err("not a trace (expected a JSON object)");
  if (!j.contains("format") || !j["format"].is_string() || j["format"].get<std::string>() != "ctxsw-trace-1")
    return err("not a ctxsw trace (field 'format' must be \"ctxsw-trace-1\")");
  TraceFile tf;
  tf.path = path;
  if (!j.contains("configuration")) return err("missing field 'configuration'");
  if (auto e = config_from_json(j["configuration"], tf.cfg); !e.empty()) return err(e);
  if (j.contains("mutant")) {
    if (!j["mutant"].is_string()) return err("field 'mutant' must be a name");
    auto m = mutant_by_name(j["mutant"].get<std::string>());
    if (!m) return err("unknown mutant '" + j["mutant"].get<std::string>() + "'");
    tf.cfg.mutant = *m;
    if (auto e = validate(tf.cfg); !e.empty()) return err("configuration: " + e);
  }
  // Recorded fields are scalars; a nested value is refused before it is
  // copied (copying and dumping JSON recurse: deep nesting overflowed the stack).
  auto fields_err = [](const json &fields) -> std::string {
    if (!fields.is_object()) return "must be an object of fields";
    for (auto it = fields.begin(); it != fields.end(); ++it)
      if (it.value().is_structured()) return "field '" + it.key() + "' must be a string";
    return "";
  };
  if (j.contains("initial_state")) {
    if (auto e = fields_err(j["initial_state"]); !e.empty()) return err("'initial_state' " + e);
    tf.initial_state = j["initial_state"];
  } else {
    tf.initial_state = json::object();
  }
  if (!j.contains("steps") || !j["steps"].is_array()) return err("missing array 'steps'");
  int k = 0;
  for (const json &s : j["steps"]) {
    k++;
    auto serr = [&](const std::string &m) { return err(fmt::format("step {}: {}", k, m)); };
    if (!s.is_object()) return serr("expected an object");
    TraceStepRecord r;
    if (!s.contains("cpu") || !s["cpu"].is_number_integer()) return serr("missing integer field 'cpu'");
    r.cpu = s["cpu"].get<int>();
    if (r.cpu < 0 || r.cpu >= tf.cfg.cpus)
      return serr(fmt::format("cpu {} does not exist in a {}-CPU configuration", r.cpu, tf.cfg.cpus));
    if (!s.contains("action") || !s["action"].is_string()) return serr("missing string field 'action'");
    r.action = s["action"].get<std::string>();
    if (s.contains("arg")) {
      if (!s["arg"].is_string()) return serr("field 'arg' must be a name");
      r.arg = s["arg"].get<std::string>();
    }
    if (s.contains("state")) {
      if (auto e = fields_err(s["state"]); !e.empty()) return serr("'state' " + e);
      r.state = s["state"];
    } else {
      r.state = json::object();
    }
    tf.steps.push_back(std::move(r));
  }
  if (j.contains("violated")) {
    const json &v = j["violated"];
    if (!v.is_object() || !v.contains("property") || !v["property"].is_string())
      return err("field 'violated' needs a 'property' name");
    tf.property = v["property"].get<std::string>();
    if (!property_by_name(tf.property)) return err("unknown property '" + tf.property + "' in 'violated'");
    if (v.contains("detail") && v["detail"].is_string()) tf.detail = v["detail"].get<std::string>();
  }
  out = std::move(tf);
  return "";
}

std::string load_trace(const std::string &path, TraceFile &out) {
  std::ifstream in(path);
  if (!in) return path + ": cannot open";
  json j;
  try {
    j = json::parse(in);
  } catch (const json::parse_error &e) {
    return path + ": invalid JSON: " + e.what();
  }
  return parse_trace(j, path, out);
}

namespace {

// The first recorded field whose value differs from the model's, as a
// message; "" when all recorded fields agree.
std::string compare_fields(const Config &cfg, const State &s, const json &recorded) {
  auto fields = describe_state(cfg, s);
  for (auto it = recorded.begin(); it != recorded.end(); ++it) {
    const Field *f = nullptr;
    for (const Field &x : fields)
      if (x.name == it.key()) f = &x;
    if (!f) return "field '" + it.key() + "' does not exist in this model";
    std::string want = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
    if (want != f->value) return it.key() + " is " + f->value + " in the model, the trace says " + want;
  }
  return "";
}

}  // namespace

std::pair<std::string, std::string> violated_at_end(const Config &cfg, const State &last) {
  Model model(cfg);
  for (const Property &p : all_properties()) {
    if (p.kind == PropertyKind::invariant) {
      if (std::string d = p.check(cfg, last); !d.empty()) return {std::string(p.name), d};
    } else {
      bool any = false;
      model.successors(last, [&](const Step &, const State &) { any = true; });
      if (!any && !model.quiescent(last))
        return {std::string(p.name), "no step is enabled but some CPU is inside a kernel path"};
    }
  }
  return {};
}

ReplayOutcome replay_trace(const TraceFile &tf) {
  ReplayOutcome r;
  const Config &cfg = tf.cfg;
  Model model(cfg);
  r.trace.cfg = cfg;
  State s = model.initial_state();
  r.trace.states.push_back(s);
  if (auto e = compare_fields(cfg, s, tf.initial_state); !e.empty()) {
    r.diverged_at = 0;
    r.message = "initial state: " + e;
    return r;
  }
  for (size_t i = 0; i < tf.steps.size(); i++) {
    const TraceStepRecord &rec = tf.steps[i];
    std::string where = fmt::format("step {} (cpu{} {}{})", i + 1, rec.cpu, rec.action,
                                    rec.arg.empty() || rec.action.find(' ') != std::string::npos ? "" : " " + rec.arg);
    // The enabled steps of this CPU with this token (and operand); if the
    // token alone is ambiguous, the one whose result matches the record.
    std::vector<std::pair<Step, State>> cands;
    std::vector<std::string> enabled;
    model.successors(s, [&](const Step &st, const State &n) {
      if (st.cpu != rec.cpu) return;
      std::string tok = step_token(cfg, st);
      enabled.push_back(tok);
      if (tok != rec.action) return;
      if (!rec.arg.empty() && step_arg_name(cfg, st) != rec.arg) return;
      cands.emplace_back(st, n);
    });
    if (cands.empty()) {
      std::string list;
      for (const std::string &e : enabled) list += (list.empty() ? "" : ", ") + e;
      r.diverged_at = static_cast<int>(i + 1);
      r.message = where + ": not enabled here; cpu" + std::to_string(rec.cpu) +
                  " can take: " + (list.empty() ? "nothing" : list);
      return r;
    }
    size_t pick = 0;
    std::string mismatch = compare_fields(cfg, cands[0].second, rec.state);
    for (size_t c = 1; c < cands.size() && !mismatch.empty(); c++) {
      if (compare_fields(cfg, cands[c].second, rec.state).empty()) {
        pick = c;
        mismatch.clear();
      }
    }
    if (!mismatch.empty()) {
      r.diverged_at = static_cast<int>(i + 1);
      r.message = where + ": " + mismatch;
      return r;
    }
    s = cands[pick].second;
    r.trace.labels.push_back(cands[pick].first);
    r.trace.states.push_back(s);
  }
  auto [name, detail] = violated_at_end(cfg, s);
  r.trace.property = name;
  r.trace.detail = detail;
  if (!tf.property.empty() && name != tf.property) {
    // Another property may be reported first; check the recorded one itself.
    const Property *p = property_by_name(tf.property);
    bool holds = true;
    if (p->kind == PropertyKind::invariant) {
      std::string d = p->check(cfg, s);
      holds = d.empty();
      if (!holds) r.trace.property = tf.property, r.trace.detail = d;
    } else {
      holds = name != tf.property;
    }
    if (holds) {
      r.diverged_at = static_cast<int>(tf.steps.size());
      r.message = fmt::format("end of trace (step {}): {} holds in the model, the trace says it is violated",
                              tf.steps.size(), tf.property);
      return r;
    }
  }
  r.ok = true;
  return r;
}

Trace trace_from_scenario(const Config &cfg, const ctxsw::ReplayResult &r, int *jumps) {
  Trace t;
  t.cfg = cfg;
  t.states.push_back(r.initial);
  int j = 0;
  Model model(cfg);
  for (const ReplayStep &st : r.steps) {
    // A `set` line before this step: the state it starts from is not the last one.
    auto expected = model.apply(t.states.back(), st.step);
    if (!expected || !(*expected == st.after)) j++;
    t.labels.push_back(st.step);
    t.states.push_back(st.after);
  }
  if (!(r.initial == model.initial_state())) j++;
  if (jumps) *jumps = j;
  auto [name, detail] = violated_at_end(cfg, t.states.back());
  t.property = name;
  t.detail = detail;
  return t;
}

json trace_to_json(const Trace &t) { return report::trace_to_json(t.cfg, t.states, t.labels, t.property, t.detail); }

}  // namespace ctxsw::explore
