// SPDX-License-Identifier: GPL-2.0-only
//
// ctxsw graph: the reachable state graph of a small configuration as
// Graphviz DOT, analysed with Boost.Graph (shortest counterexample path
// highlighted, mm.no_leak over the terminal strongly connected components).
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "commands.h"
#include "ctxsw/explore/state_graph.h"
#include "ctxsw/formats/config_json.h"
#include "options.h"
#include "trace_io.h"

namespace ctxsw::cli {
namespace {

struct GraphOptions {
  ConfigOptions config;
  std::string out;
  size_t max_states = 2000;
  std::string trace_out;
  std::string html;
};

int run_graph(const GraphOptions &o) {
  Config cfg;
  if (auto e = build_config(o.config, cfg); !e.empty()) return usage_error(e);
  explore::StateGraph g;
  if (auto e = explore::build_state_graph(cfg, o.max_states, g); !e.empty()) return usage_error(e);
  explore::GraphAnalysis a = explore::analyse_graph(g);
  std::string dot = explore::graph_dot(g, a);
  std::ostream &info = o.out.empty() || o.out == "-" ? std::cerr : std::cout;
  if (o.out.empty() || o.out == "-") {
    std::cout << dot;
  } else if (!write_whole_file(o.out, dot)) {
    return usage_error("-o: cannot write " + o.out);
  }
  info << "configuration: " << config_summary(cfg) << "\n";
  info << fmt::format("graph: {} states, {} transitions, {} strongly connected components ({} terminal)\n",
                      g.states.size(), g.edges.size(), a.num_sccs, a.terminal_sccs);
  for (const std::string &l : a.leaks) info << "mm.no_leak violated: " << l << "\n";
  if (a.property.empty()) {
    info << "all properties hold in every state; mm.no_leak holds over the terminal components\n";
    return 0;
  }
  info << fmt::format("{} violated: {}\nshortest path to it: {} steps (highlighted in red)\n", a.property, a.detail,
                      a.path_edges.size());
  if (auto e = write_trace_outputs(explore::path_trace(g, a), o.trace_out, o.html); !e.empty()) return usage_error(e);
  return 1;
}

}  // namespace

void register_graph(CLI::App &app, int &status) {
  auto o = std::make_shared<GraphOptions>();
  CLI::App *cmd = app.add_subcommand(
      "graph", "export the reachable state graph of a small configuration as Graphviz DOT (render: dot -Tsvg)");
  add_config_options(cmd, o->config);
  cmd->add_option("-o,--out", o->out, "write the DOT here (default: stdout)");
  cmd->add_option("--max-states", o->max_states, "refuse graphs with more states than this")->capture_default_str();
  cmd->add_option("--trace-out", o->trace_out, "write the highlighted counterexample path as a JSON trace");
  cmd->add_option("--html", o->html, "write the highlighted counterexample path as an HTML viewer");
  cmd->callback([o, &status] { status = run_graph(*o); });
}

}  // namespace ctxsw::cli
