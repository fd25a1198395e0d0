// SPDX-License-Identifier: GPL-2.0-only
//
// Trace files: a counterexample written by --trace-out replays; hand-edited
// traces are rejected naming the step; random walks through the model
// survive the JSON round trip.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "ctxsw/checker/ctxsw_system.h"
#include "ctxsw/checker/explorer.h"
#include "ctxsw/explore/trace.h"
#include "ctxsw/model/model.h"
#include "explore_util.h"

namespace ctxsw {
namespace {

using nlohmann::json;

Config mutant_config() {
  Config cfg;
  cfg.cpus = 1;
  cfg.mm_names = {"a"};
  cfg.tasks = {{"A", TaskKind::user, 1, true}, {"K", TaskKind::kthread, 0xff, true}};
  cfg.fork_slots = 0;
  cfg.tlb_fills = false;
  cfg.mutant = Mutant::switch_to_two_args;
  EXPECT_EQ(finalize(cfg), "");
  return cfg;
}

json counterexample_json() {
  Config cfg = mutant_config();
  Model model(cfg);
  checker::CtxswSystem sys(model);
  auto r = checker::explore(sys);
  EXPECT_EQ(r.verdict, checker::Verdict::violated);
  explore::Trace t{cfg, r.trace_states, r.trace_labels, std::string(sys.property(r.violated)->name), r.detail};
  return explore::trace_to_json(t);
}

explore::ReplayOutcome replay_json(const json &j) {
  explore::TraceFile tf;
  std::string e = explore::parse_trace(j, "t.json", tf);
  EXPECT_EQ(e, "");
  return explore::replay_trace(tf);
}

TEST(ExploreTrace, CounterexampleReplays) {
  json j = counterexample_json();
  ASSERT_GE(j["steps"].size(), 3u);
  auto r = replay_json(j);
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.trace.labels.size(), j["steps"].size());
  EXPECT_EQ(r.trace.property, "switch.last_is_previous");
}

TEST(ExploreTrace, EditedStateIsRejectedNamingTheStep) {
  json j = counterexample_json();
  j["steps"][2]["state"]["cpu0.curr"] = "A";
  auto r = replay_json(j);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.diverged_at, 3);
  EXPECT_NE(r.message.find("step 3"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("cpu0.curr"), std::string::npos) << r.message;
}

TEST(ExploreTrace, StepNotEnabledIsRejectedNamingTheStep) {
  json j = counterexample_json();
  j["steps"][1]["action"] = "step casc_cmpxchg";
  auto r = replay_json(j);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.diverged_at, 2);
  EXPECT_NE(r.message.find("not enabled"), std::string::npos) << r.message;
}

TEST(ExploreTrace, ClaimedViolationMustReproduce) {
  json j = counterexample_json();
  j["steps"].erase(j["steps"].size() - 1);  // the last step causes the violation
  auto r = replay_json(j);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("holds in the model"), std::string::npos) << r.message;
}

TEST(ExploreTrace, UnknownFieldFailsLoudly) {
  json j = counterexample_json();
  j["steps"][0]["state"]["cpu0.no_such_register"] = "1";
  auto r = replay_json(j);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.diverged_at, 1);
  EXPECT_NE(r.message.find("cpu0.no_such_register"), std::string::npos) << r.message;
}

TEST(ExploreTrace, PartialStatesAreEnough) {
  json j = counterexample_json();
  for (json &s : j["steps"]) s["state"] = json{{"cpu0.pc", s["state"]["cpu0.pc"]}};
  j.erase("initial_state");
  auto r = replay_json(j);
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(ExploreTrace, MalformedFilesNameTheProblem) {
  json j = counterexample_json();
  j["steps"][4].erase("cpu");
  explore::TraceFile tf;
  EXPECT_EQ(explore::parse_trace(j, "t.json", tf), "t.json: step 5: missing integer field 'cpu'");
  EXPECT_NE(explore::parse_trace(json{{"format", "other"}}, "t.json", tf).find("not a ctxsw trace"), std::string::npos);
}

// Any walk through the model, written and read back, replays to the same states.
RC_GTEST_PROP(ExploreTrace, RandomWalksRoundTrip, ()) {
  Config cfg = mutant_config();
  cfg.mutant = Mutant::none;
  cfg.exit = *rc::gen::arbitrary<bool>();
  cfg.tlb_fills = *rc::gen::arbitrary<bool>();
  Model model(cfg);
  explore::Trace t;
  t.cfg = cfg;
  t.states.push_back(model.initial_state());
  int len = *rc::gen::inRange(0, 40);
  for (int i = 0; i < len; i++) {
    std::vector<std::pair<Step, State>> next;
    model.successors(t.states.back(), [&](const Step &s, const State &n) { next.emplace_back(s, n); });
    if (next.empty()) break;
    size_t k = *rc::gen::inRange<size_t>(0, next.size());
    t.labels.push_back(next[k].first);
    t.states.push_back(next[k].second);
  }
  explore::TraceFile tf;
  RC_ASSERT(explore::parse_trace(json::parse(explore::trace_to_json(t).dump()), "w.json", tf) == "");
  auto r = explore::replay_trace(tf);
  RC_ASSERT(r.ok);
  RC_ASSERT(r.trace.states == t.states);
  RC_ASSERT(r.trace.labels == t.labels);
}

// The command line: check --trace-out, replay (exit 0), an edited trace (exit 1, step named).
TEST(ExploreTraceCli, CheckTraceOutReplays) {
  std::string d = test::temp_dir("trace");
  auto c = test::run(test::bin() + " check --quiet " + test::kMutantConfig + " --trace-out " + d + "/cx.json");
  ASSERT_EQ(c.status, 1) << c.out;
  auto r = test::run(test::bin() + " replay --quiet " + d + "/cx.json 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("REPRODUCED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("switch.last_is_previous"), std::string::npos) << r.out;

  json j = json::parse(test::read_file(d + "/cx.json"));
  j["steps"][3]["state"]["task.K.on_cpu"] = "7";
  test::write_file(d + "/broken.json", j.dump(2));
  auto b = test::run(test::bin() + " replay --quiet " + d + "/broken.json 2>&1");
  EXPECT_EQ(b.status, 1) << b.out;
  EXPECT_NE(b.out.find("step 4"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("DIVERGED"), std::string::npos) << b.out;

  test::write_file(d + "/garbage.json", "{\"format\": \"ctxsw-trace-1\", ");
  auto g = test::run(test::bin() + " replay " + d + "/garbage.json 2>&1");
  EXPECT_EQ(g.status, 2) << g.out;
  EXPECT_NE(g.out.find("invalid JSON"), std::string::npos) << g.out;
}

}  // namespace
}  // namespace ctxsw
