// SPDX-License-Identifier: GPL-2.0-only
#include "ctxsw/explore/state_graph.h"

#include <fmt/format.h>

// GCC 12 reports a false -Wmaybe-uninitialized inside Boost.Graph's edge
// iterator (boost::optional in adj_list_edge_iterator) when write_graphviz is
// inlined here; it is not our code, so only that warning is relaxed.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/graph/strong_components.hpp>
#include <limits>
#include <sstream>
#include <unordered_map>

#include "ctxsw/model/describe.h"
#include "ctxsw/model/model.h"
#include "ctxsw/properties/properties.h"

namespace ctxsw::explore {
namespace {

struct EdgeProp {
  size_t index;  // into StateGraph::edges
};
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property, EdgeProp>;
using Vertex = boost::graph_traits<Graph>::vertex_descriptor;

Graph to_boost(const StateGraph &g) {
  Graph bg(g.states.size());
  for (size_t i = 0; i < g.edges.size(); i++) boost::add_edge(g.edges[i].from, g.edges[i].to, EdgeProp{i}, bg);
  return bg;
}

// Records, for each vertex reached, the tree edge it was reached by.
struct TreeEdgeRecorder {
  using event_filter = boost::on_tree_edge;
  std::vector<size_t> *via;
  template <class E, class G>
  void operator()(E e, const G &g) const {
    (*via)[boost::target(e, g)] = g[e].index;
  }
};

std::string key(const State &s) { return std::string(reinterpret_cast<const char *>(&s), sizeof(State)); }

// The first property that s violates (invariants; deadlock needs out-degree).
std::pair<std::string, std::string> violation(const Config &cfg, const Model &m, const State &s, bool has_succ) {
  for (const Property &p : all_properties()) {
    if (p.kind == PropertyKind::invariant) {
      if (std::string d = p.check(cfg, s); !d.empty()) return {std::string(p.name), d};
    } else if (!has_succ && !m.quiescent(s)) {
      return {std::string(p.name), "no step is enabled but some CPU is inside a kernel path"};
    }
  }
  return {};
}

std::string dot_escape(const std::string &s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o;
}

}  // namespace

std::string build_state_graph(const Config &cfg, size_t max_states, StateGraph &out) {
  Model model(cfg);
  StateGraph g;
  g.cfg = cfg;
  std::unordered_map<std::string, uint32_t> index;
  g.states.push_back(model.initial_state());
  index.emplace(key(g.states[0]), 0);
  for (size_t head = 0; head < g.states.size(); head++) {
    State cur = g.states[head];
    bool too_many = false;
    model.successors(cur, [&](const Step &st, const State &n) {
      if (too_many) return;
      auto [it, fresh] = index.emplace(key(n), static_cast<uint32_t>(g.states.size()));
      if (fresh) {
        if (g.states.size() >= max_states) {
          too_many = true;
          return;
        }
        g.states.push_back(n);
      }
      g.edges.push_back({static_cast<uint32_t>(head), it->second, st});
    });
    if (too_many)
      return fmt::format(
          "the reachable state graph has more than {} states (stopped after {} transitions); a graph is only "
          "readable for tiny configurations: try --cpus 1 --procs 1 --kthreads 1 --fork 0 --no-tlb-fills, or "
          "raise --max-states (use `ctxsw check` for large ones)",
          max_states, g.edges.size());
  }
  out = std::move(g);
  return "";
}

GraphAnalysis analyse_graph(const StateGraph &g) {
  const Config &cfg = g.cfg;
  Model model(cfg);
  Graph bg = to_boost(g);
  size_t n = g.states.size();
  GraphAnalysis a;

  // Shortest paths from the initial state.
  std::vector<size_t> via(n, std::numeric_limits<size_t>::max());
  std::vector<size_t> dist(n, 0);
  TreeEdgeRecorder rec;
  rec.via = &via;
  boost::breadth_first_search(
      bg, boost::vertex(0, bg),
      boost::visitor(boost::make_bfs_visitor(std::make_pair(
          boost::record_distances(boost::make_iterator_property_map(dist.begin(), boost::get(boost::vertex_index, bg)),
                                  boost::on_tree_edge()),
          rec))));

  // Invariant violations and deadlocks: the nearest one is the counterexample.
  uint32_t target = 0;
  bool found = false;
  for (uint32_t v = 0; v < n; v++) {
    auto [name, detail] = violation(cfg, model, g.states[v], boost::out_degree(v, bg) > 0);
    if (name.empty()) continue;
    a.violating.push_back(v);
    if (!found || dist[v] < dist[target]) {
      found = true;
      target = v;
      a.property = name;
      a.detail = detail;
    }
  }

  // mm.no_leak over the terminal strongly connected components.
  std::vector<size_t> comp(n);
  a.num_sccs = boost::strong_components(
      bg, boost::make_iterator_property_map(comp.begin(), boost::get(boost::vertex_index, bg)));
  std::vector<char> leaves(a.num_sccs, 0);
  for (const auto &e : g.edges)
    if (comp[e.from] != comp[e.to]) leaves[comp[e.from]] = 1;
  std::vector<std::vector<uint32_t>> members(a.num_sccs);
  for (uint32_t v = 0; v < n; v++) members[comp[v]].push_back(v);
  for (size_t c = 0; c < a.num_sccs; c++) {
    if (leaves[c]) continue;
    a.terminal_sccs++;
    for (int m = 1; m < cfg.nr_mms(); m++) {
      // Liveness and mm_users == 0 are stable once reached, so one member decides.
      const MmState &ms = g.states[members[c][0]].mm[m];
      if (!ms.live || ms.users || ms.pinned) continue;
      for (uint32_t v : members[c]) {
        const State &s = g.states[v];
        bool all_elsewhere = true;
        for (int cpu = 0; cpu < cfg.cpus; cpu++) {
          uint8_t t = s.cpu[cpu].curr;
          all_elsewhere &= s.cpu[cpu].pc == Pc::running && t != kNone && cfg.tasks[t].kind == TaskKind::user &&
                           s.task[t].mm != kNone && s.task[t].mm != m;
        }
        if (!all_elsewhere) continue;
        a.leaks.push_back(
            fmt::format("mm {} is never freed: in a terminal set of {} states every CPU runs a user "
                        "task of another mm, yet mm_users = 0 and mm_count = {}",
                        cfg.mm_name(m), members[c].size(), s.mm[m].count));
        a.leak_states.push_back(v);
        break;
      }
    }
  }
  if (!found && !a.leak_states.empty()) {
    found = true;
    target = a.leak_states[0];
    a.property = "mm.no_leak";
    a.detail = a.leaks[0];
  }

  if (found) {
    for (uint32_t v = target; v != 0; v = g.edges[via[v]].from) {
      a.path.push_back(v);
      a.path_edges.push_back(via[v]);
    }
    a.path.push_back(0);
    std::reverse(a.path.begin(), a.path.end());
    std::reverse(a.path_edges.begin(), a.path_edges.end());
  }
  return a;
}

Trace path_trace(const StateGraph &g, const GraphAnalysis &a) {
  Trace t;
  t.cfg = g.cfg;
  t.states.push_back(g.states[0]);
  for (size_t e : a.path_edges) {
    t.labels.push_back(g.edges[e].step);
    t.states.push_back(g.states[g.edges[e].to]);
  }
  t.property = a.property;
  t.detail = a.detail;
  return t;
}

std::string compact_label(const Config &cfg, const State &s) {
  std::string out;
  for (int c = 0; c < cfg.cpus; c++) {
    const CpuState &cs = s.cpu[c];
    out += fmt::format("cpu{} {} {} {}/{}", c, cfg.task_name(cs.curr), pc_name(cs.pc),
                       cs.ttbr0 == kReservedPgd ? "rsv" : cfg.mm_name(cs.ttbr0), cs.ttbr0_asid);
    if (cs.prev_mm != kNone) out += " prev_mm=" + cfg.mm_name(cs.prev_mm);
    if (cs.tlb.n) {
      out += " tlb{";
      for (int i = 0; i < cs.tlb.n; i++)
        out += (i ? " " : "") + std::to_string(cs.tlb.e[i].asid) + ":" + cfg.mm_name(cs.tlb.e[i].mm);
      out += "}";
    }
    out += "\n";
  }
  for (int m = 1; m < cfg.nr_mms(); m++) {
    const MmState &ms = s.mm[m];
    if (!ms.live && !ms.freed) continue;
    out += ms.freed ? cfg.mm_name(m) + " freed\n"
                    : fmt::format("{} u{} c{} {}\n", cfg.mm_name(m), ms.users, ms.count, format_ctxid(ms.id));
  }
  out += fmt::format("g{} map{}", s.generation, [&] {
    std::string b = "{";
    for (int i = 0; i < cfg.num_user_asids(); i++)
      if (s.asid_map.test(i)) b += (b.size() > 1 ? "," : "") + std::to_string(i);
    return b + "}";
  }());
  if (s.asid_lock != kNone) out += fmt::format(" lock=cpu{}", s.asid_lock);
  return out;
}

std::string graph_dot(const StateGraph &g, const GraphAnalysis &a) {
  Graph bg = to_boost(g);
  std::vector<char> on_path(g.states.size(), 0), bad(g.states.size(), 0), edge_on_path(g.edges.size(), 0);
  for (uint32_t v : a.path) on_path[v] = 1;
  for (uint32_t v : a.violating) bad[v] = 1;
  for (uint32_t v : a.leak_states) bad[v] = 1;
  for (size_t e : a.path_edges) edge_on_path[e] = 1;
  auto vertex_writer = [&](std::ostream &o, Vertex v) {
    std::string attrs = "label=\"" + dot_escape(compact_label(g.cfg, g.states[v])) + "\"";
    if (v == 0) attrs += ",peripheries=2";
    if (bad[v]) attrs += ",style=filled,fillcolor=\"#ffb3b3\"";
    if (on_path[v]) attrs += ",color=red,penwidth=2.5";
    o << "[" << attrs << "]";
  };
  auto edge_writer = [&](std::ostream &o, boost::graph_traits<Graph>::edge_descriptor e) {
    size_t i = bg[e].index;
    const Step &st = g.edges[i].step;
    std::string attrs = "label=\"" + dot_escape(fmt::format("cpu{} {}", st.cpu, step_token(g.cfg, st))) + "\"";
    if (edge_on_path[i]) attrs += ",color=red,fontcolor=red,penwidth=2.5";
    o << "[" << attrs << "]";
  };
  auto graph_writer = [&](std::ostream &o) {
    o << "label=\""
      << dot_escape(fmt::format("ctxsw state graph: {} states, {} transitions, {} SCCs ({} terminal){}",
                                g.states.size(), g.edges.size(), a.num_sccs, a.terminal_sccs,
                                a.property.empty() ? std::string(", all properties hold")
                                                   : ", red path: " + a.property + " violated: " + a.detail))
      << "\";\nlabelloc=t;\nnode [shape=box,fontname=\"monospace\",fontsize=9];\n"
      << "edge [fontname=\"monospace\",fontsize=8];\n";
  };
  std::ostringstream os;
  boost::write_graphviz(os, bg, vertex_writer, edge_writer, graph_writer);
  return os.str();
}

}  // namespace ctxsw::explore
