// SPDX-License-Identifier: GPL-2.0-only
//
// The reachable state graph of a small configuration, analysed with
// Boost.Graph and exported as Graphviz DOT (`ctxsw graph`):
//  - breadth_first_search from the initial state gives shortest paths; the
//    nearest state that violates a property is the counterexample, and its
//    path is highlighted;
//  - strongly_connected_components finds the terminal components (sets of
//    states the system can never leave); mm.no_leak fails if in one of them
//    an mm with no users stays allocated although every CPU runs a user task
//    of another mm there (SPEC §4: "once the tasks using an mm have exited and
//    every CPU has switched to a user task of another mm, the mm is freed").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ctxsw/explore/trace.h"

namespace ctxsw::explore {

struct StateGraph {
  struct Edge {
    uint32_t from, to;
    Step step;
  };
  Config cfg;
  std::vector<State> states;  // vertex v; 0 is the initial state
  std::vector<Edge> edges;
};

// Builds the whole reachable graph. Returns "" or, if it has more than
// max_states states, a one-line refusal saying so.
std::string build_state_graph(const Config &cfg, size_t max_states, StateGraph &out);

struct GraphAnalysis {
  std::string property, detail;     // violated at the end of `path` ("" if all hold)
  std::vector<uint32_t> path;       // vertices from 0 to the nearest violating state
  std::vector<size_t> path_edges;   // indices into StateGraph::edges
  std::vector<uint32_t> violating;  // every state that violates an invariant or deadlocks
  size_t num_sccs = 0, terminal_sccs = 0;
  std::vector<std::string> leaks;     // mm.no_leak violations found over the terminal components
  std::vector<uint32_t> leak_states;  // one witness state per leak
};

GraphAnalysis analyse_graph(const StateGraph &g);

// The highlighted path as a trace (for --trace-out / --html).
Trace path_trace(const StateGraph &g, const GraphAnalysis &a);

// Compact one-line-per-part label of a state, e.g. "cpu0 A running a/1\na u1 c1 g1:1".
std::string compact_label(const Config &cfg, const State &s);

std::string graph_dot(const StateGraph &g, const GraphAnalysis &a);

}  // namespace ctxsw::explore
