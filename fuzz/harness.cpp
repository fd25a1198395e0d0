// SPDX-License-Identifier: GPL-2.0-only
#include "harness.h"

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "ctxsw/explore/trace.h"
#include "ctxsw/formats/config_json.h"
#include "ctxsw/formats/scenario.h"
#include "ctxsw/model/model.h"

namespace ctxsw::fuzz {
namespace {

using nlohmann::json;

// A property of the parser failed: report it the way a crash is reported.
[[noreturn]] void finding(const char *what, const std::string &detail) {
  std::fprintf(stderr, "ctxsw fuzz finding: %s: %s\n", what, detail.c_str());
  std::abort();
}

bool starts_with(const std::string &s, const std::string &prefix) { return s.rfind(prefix, 0) == 0; }

// JSON from bytes without exceptions; discarded (null with is_discarded) when malformed.
json parse_json(const uint8_t *data, size_t size) {
  return json::parse(data, data + size, /*cb=*/nullptr, /*allow_exceptions=*/false);
}

}  // namespace

int scenario_one(const uint8_t *data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char *>(data), size));
  Scenario sc;
  std::string e = parse_scenario(in, "fuzz.scn", sc);
  if (!e.empty()) {
    if (!starts_with(e, "fuzz.scn:")) finding("scenario error without PATH:LINE", e);
    return 0;
  }
  if (auto v = validate(sc.cfg); !v.empty()) finding("accepted scenario has an invalid configuration", v);
  ReplayResult quiet = run_scenario(sc, nullptr);
  std::ostringstream out;
  ReplayResult loud = run_scenario(sc, &out, size % 2 == 1);
  if (quiet.failures != loud.failures || quiet.steps.size() != loud.steps.size())
    finding("run_scenario differs with output", sc.path);
  for (const std::string &f : quiet.failures)
    if (!starts_with(f, "fuzz.scn:")) finding("scenario failure without PATH:LINE", f);
  return 0;
}

int trace_one(const uint8_t *data, size_t size) {
  json j = parse_json(data, size);
  if (j.is_discarded()) return 0;
  explore::TraceFile tf;
  std::string e = explore::parse_trace(j, "fuzz.json", tf);
  if (!e.empty()) {
    if (!starts_with(e, "fuzz.json: ")) finding("trace error without PATH", e);
    return 0;
  }
  if (auto v = validate(tf.cfg); !v.empty()) finding("accepted trace has an invalid configuration", v);
  explore::ReplayOutcome r = explore::replay_trace(tf);
  if (!r.ok) {
    if (r.message.empty()) finding("replay failed without a message", "");
    return 0;
  }
  // A trace that replays is written back as the model saw it; that trace
  // must read and replay again to the same path.
  json again = explore::trace_to_json(r.trace);
  explore::TraceFile tf2;
  if (auto e2 = explore::parse_trace(again, "again.json", tf2); !e2.empty())
    finding("written trace does not parse", e2);
  explore::ReplayOutcome r2 = explore::replay_trace(tf2);
  if (!r2.ok) finding("written trace does not replay", r2.message);
  if (r2.trace.states.size() != r.trace.states.size()) finding("written trace replays to another path", "");
  return 0;
}

int config_one(const uint8_t *data, size_t size) {
  json j = parse_json(data, size);
  if (j.is_discarded()) return 0;
  Config cfg;
  std::string e = config_from_json(j, cfg);
  if (!e.empty()) {
    if (!starts_with(e, "configuration: ")) finding("config error without 'configuration: '", e);
    return 0;
  }
  if (auto v = validate(cfg); !v.empty()) finding("accepted configuration is invalid", v);
  if (j["cpus"] != cfg.cpus || j["asid_bits"] != cfg.asid_bits || j["fork_slots"] != cfg.fork_slots)
    finding("configuration numbers read as other numbers", j.dump());
  (void)config_summary(cfg);
  json out = config_to_json(cfg);
  Config back;
  if (auto e2 = config_from_json(out, back); !e2.empty()) finding("config_to_json output rejected", e2);
  if (config_to_json(back) != out) finding("configuration changes through JSON", out.dump());
  Model model(back);
  (void)model.initial_state();
  return 0;
}

}  // namespace ctxsw::fuzz
