// SPDX-License-Identifier: GPL-2.0-only
//
// The state graph: it has exactly the states the checker reaches, its
// shortest counterexample is as short as the checker's, the terminal-SCC
// leak check fires on a leaking graph, DOT renders with Graphviz, and large
// configurations are refused.
#include <gtest/gtest.h>

#include "ctxsw/checker/ctxsw_system.h"
#include "ctxsw/checker/explorer.h"
#include "ctxsw/explore/state_graph.h"
#include "explore_util.h"

namespace ctxsw {
namespace {

Config tiny(Mutant m = Mutant::none, bool exit = true) {
  Config cfg;
  cfg.cpus = 1;
  cfg.mm_names = {"a"};
  cfg.tasks = {{"A", TaskKind::user, 1, true}, {"K", TaskKind::kthread, 0xff, true}};
  cfg.fork_slots = 0;
  cfg.tlb_fills = false;
  cfg.exit = exit;
  cfg.mutant = m;
  EXPECT_EQ(finalize(cfg), "");
  return cfg;
}

TEST(ExploreGraph, SameStatesAsTheChecker) {
  for (bool exit : {false, true}) {
    Config cfg = tiny(Mutant::none, exit);
    explore::StateGraph g;
    ASSERT_EQ(explore::build_state_graph(cfg, 5000, g), "");
    Model model(cfg);
    checker::CtxswSystem sys(model);
    auto r = checker::explore(sys);
    ASSERT_EQ(r.verdict, checker::Verdict::holds);
    EXPECT_EQ(g.states.size(), r.states);
    EXPECT_EQ(g.edges.size(), r.transitions);
    auto a = explore::analyse_graph(g);
    EXPECT_EQ(a.property, "");
    EXPECT_TRUE(a.leaks.empty());
    EXPECT_GE(a.terminal_sccs, 1u);
  }
}

TEST(ExploreGraph, ShortestCounterexampleMatchesTheChecker) {
  Config cfg = tiny(Mutant::switch_to_two_args);
  explore::StateGraph g;
  ASSERT_EQ(explore::build_state_graph(cfg, 5000, g), "");
  auto a = explore::analyse_graph(g);
  Model model(cfg);
  checker::CtxswSystem sys(model);
  auto r = checker::explore(sys);
  ASSERT_EQ(r.verdict, checker::Verdict::violated);
  EXPECT_EQ(a.property, sys.property(r.violated)->name);
  EXPECT_EQ(a.path_edges.size(), r.trace_labels.size());
  // The path is a real path of the model and replays as a trace.
  explore::Trace t = explore::path_trace(g, a);
  for (size_t i = 0; i < t.labels.size(); i++) {
    auto n = model.apply(t.states[i], t.labels[i]);
    ASSERT_TRUE(n.has_value());
    EXPECT_TRUE(*n == t.states[i + 1]);
  }
  explore::TraceFile tf;
  ASSERT_EQ(explore::parse_trace(explore::trace_to_json(t), "g.json", tf), "");
  EXPECT_TRUE(explore::replay_trace(tf).ok);
}

// A hand-made graph: mm a has no users but stays allocated in a terminal
// component where the CPU runs B (a user task of mm b).
TEST(ExploreGraph, TerminalComponentLeakIsFound) {
  Config cfg;
  cfg.cpus = 1;
  cfg.mm_names = {"a", "b"};
  cfg.tasks = {{"A", TaskKind::user, 1, true}, {"B", TaskKind::user, 2, true}};
  cfg.fork_slots = 0;
  ASSERT_EQ(finalize(cfg), "");
  Model model(cfg);
  explore::StateGraph g;
  g.cfg = cfg;
  State s0 = model.initial_state();
  State s1 = s0, s2 = s0;
  uint8_t b = 2;  // task index of B: after swapper/0 and A
  ASSERT_EQ(cfg.task_name(b), "B");
  for (State *s : {&s1, &s2}) {
    s->cpu[0].curr = b;
    s->mm[1].users = 0;
    s->mm[1].count = 1;
  }
  s2.cpu[0].ttbr0_asid = 1;  // two states cycling: one terminal SCC of size 2
  g.states = {s0, s1, s2};
  g.edges = {{0, 1, Step{}}, {1, 2, Step{}}, {2, 1, Step{}}};
  auto a = explore::analyse_graph(g);
  ASSERT_EQ(a.leaks.size(), 1u);
  EXPECT_NE(a.leaks[0].find("mm a is never freed"), std::string::npos) << a.leaks[0];
  EXPECT_EQ(a.terminal_sccs, 1u);
  EXPECT_EQ(a.num_sccs, 2u);
}

TEST(ExploreGraphCli, DotRendersWithGraphviz) {
  std::string d = test::temp_dir("graph");
  auto r = test::run(test::bin() + " graph " + test::kMutantConfig + " -o " + d + "/g.dot --trace-out " + d +
                     "/path.json 2>&1");
  EXPECT_EQ(r.status, 1) << r.out;  // the mutant's violation is reported
  EXPECT_NE(r.out.find("switch.last_is_previous violated"), std::string::npos) << r.out;
  std::string dot = test::read_file(d + "/g.dot");
  EXPECT_EQ(dot.rfind("digraph", 0), 0u);
  EXPECT_NE(dot.find("color=red"), std::string::npos);  // the highlighted path
  auto svg = test::run("dot -Tsvg " + d + "/g.dot -o " + d + "/g.svg 2>&1");
  EXPECT_EQ(svg.status, 0) << svg.out;
  EXPECT_NE(test::read_file(d + "/g.svg").find("<svg"), std::string::npos);
  auto rep = test::run(test::bin() + " replay --quiet " + d + "/path.json 2>&1");
  EXPECT_EQ(rep.status, 0) << rep.out;

  auto ok = test::run(test::bin() + " graph --cpus 1 --procs 1 --kthreads 1 --fork 0 --no-tlb-fills 2>/dev/null");
  EXPECT_EQ(ok.status, 0);
  EXPECT_EQ(ok.out.rfind("digraph", 0), 0u);
}

TEST(ExploreGraphCli, RefusesLargeGraphs) {
  auto r = test::run(test::bin() + " graph --cpus 2 --max-states 500 2>&1");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("more than 500 states"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("digraph"), std::string::npos);
}

}  // namespace
}  // namespace ctxsw
