// SPDX-License-Identifier: GPL-2.0-only
//
// ctxsw check: exhaustive exploration of one configuration.
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <iostream>
#include <memory>

#include "commands.h"
#include "ctxsw/checker/ctxsw_system.h"
#include "ctxsw/checker/explorer.h"
#include "ctxsw/explore/html.h"
#include "ctxsw/formats/prefix.h"
#include "ctxsw/report/report.h"
#include "memory.h"
#include "options.h"

namespace ctxsw::cli {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop.store(true); }

struct CheckOptions {
  ConfigOptions config;
  std::vector<std::string> properties;
  std::string json_out;
  std::string trace_out;
  std::string html;
  uint64_t max_states = 0;
  int max_depth = -1;
  double time_limit = 0;
  std::string max_memory;
  std::string bitstate;  // SIZE of the bit array; empty: an exact search
  unsigned bitstate_hashes = 3;
  bool quiet = false;
  unsigned workers = 0;  // 0: one per hardware thread
  bool no_symmetry = false;
  bool no_renumber = false;
  std::string from;  // FILE[:LINE]
};

// Whether path can be created (probes with the temporary name write_file uses).
bool writable(const std::string &path) {
  std::string tmp = path + ".tmp";
  bool ok = static_cast<bool>(std::ofstream(tmp));
  std::remove(tmp.c_str());
  return ok;
}

// Writes a file completely or not at all (no partial outputs on error).
bool write_file(const std::string &path, const std::string &text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp);
    if (!f || !(f << text)) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

int run_check(const CheckOptions &o) {
  Config cfg;
  ConfigOptions co = o.config;
  FromSpec from;
  if (!o.from.empty()) {
    if (!co.config_file.empty())
      return usage_error("--from FILE already takes the configuration from FILE; drop --config");
    if (auto e = parse_from_spec(o.from, from); !e.empty()) return usage_error(e);
    co.config_file = from.path;
  }
  if (auto e = build_config(co, cfg); !e.empty()) return usage_error(e);
  if (o.no_renumber) {
    // Without renumbering every rollover makes new states: only a bounded
    // search ends (and the packed generation field has 8 bits).
    if (o.max_depth < 0 || o.max_depth > 250)
      return usage_error(
          "--no-renumber keeps the kernel's generation numbers, so the search is endless: give "
          "--max-depth N (N <= 250)");
    cfg.renumber_generations = false;
  }
  Prefix prefix;
  if (!o.from.empty()) {
    if (auto e = replay_prefix(from, cfg, prefix); !e.empty()) return usage_error("--from: " + e);
  }
  std::vector<const Property *> props;
  for (const std::string &n : o.properties) {
    const Property *p = property_by_name(n);
    if (!p) return usage_error("--property: unknown property '" + n + "' (ctxsw list-properties)");
    props.push_back(p);
  }
  checker::Limits lim;
  lim.max_states = o.max_states;
  lim.max_depth = o.max_depth;
  lim.time_limit_s = o.time_limit;
  uint64_t user_memory = 0;
  if (!o.max_memory.empty()) {
    user_memory = parse_size(o.max_memory);
    if (!user_memory) return usage_error("--max-memory: expected a size like 4G or 512M, got '" + o.max_memory + "'");
  }
  if (!o.bitstate.empty()) {
    lim.bitstate_bytes = parse_size(o.bitstate);
    if (lim.bitstate_bytes < checker::BitFilter::kBlockBytes)
      return usage_error("--bitstate: expected a size of at least 64 bytes, like 4G or 512M, got '" + o.bitstate + "'");
    lim.bitstate_hashes = o.bitstate_hashes;
  }
  // Output files are written after the run: find out now that they cannot be.
  for (const std::string *path : {&o.json_out, &o.trace_out, &o.html}) {
    if (path->empty() || *path == "-") continue;
    if (!writable(*path)) return usage_error("cannot write " + *path);
  }
  lim.stop = &g_stop;
  lim.workers = o.workers;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  Model model(cfg);
  checker::CtxswSystem sys(model, props, !o.no_symmetry);
  const MemoryPlan mem = plan_memory(user_memory, sys.expected_bytes_per_state(), lim.bitstate_bytes);
  if (lim.bitstate_bytes && mem.limit && lim.bitstate_bytes >= mem.limit)
    return usage_error(
        fmt::format("--bitstate {} leaves no room for the levels being expanded under the memory limit "
                    "of {} bytes (--max-memory)",
                    o.bitstate, mem.limit));
  lim.max_memory = mem.limit;
  if (!o.quiet) std::cerr << describe(mem) << "\n";
  GrowthWatch watch(mem);
  report::Start start;
  if (!o.from.empty()) {
    sys.set_start(prefix.states.back());
    start = {prefix.origin, prefix.steps.size()};
  }
  // Progress: one line rewritten in place on a terminal, one line per second otherwise (logs).
  const bool tty = isatty(STDERR_FILENO);
  auto progress = [&](const checker::Progress &p) {
    if (o.quiet) return;
    if (auto w = watch.observe(p)) std::cerr << (tty ? "\n" : "") << *w << "\n";
    std::cerr << fmt::format("{}[ctxsw] {} states, {} queued, depth {}, {:.0f} states/s{}", tty ? "\r" : "", p.states,
                             p.queue, p.depth, double(p.states) / p.seconds, tty ? "   " : "\n")
              << std::flush;
  };
  report::CheckResult r;
  try {
    r = checker::explore(sys, lim, progress);
  } catch (const std::exception &e) {
    std::cerr << "\n";
    return usage_error(e.what());
  }
  if (!o.quiet && r.seconds >= 1.0 && tty) std::cerr << "\n";
  if (r.verdict == checker::Verdict::violated && !prefix.steps.empty()) {
    // The trace starts where the prefix ended: put the prefix in front, so
    // that the counterexample runs from the initial state (ctxsw replay).
    r.trace_states.erase(r.trace_states.begin());
    r.trace_states.insert(r.trace_states.begin(), prefix.states.begin(), prefix.states.end());
    r.trace_labels.insert(r.trace_labels.begin(), prefix.steps.begin(), prefix.steps.end());
  }

  if (!o.trace_out.empty() && r.verdict == checker::Verdict::violated) {
    const Property *p = sys.property(r.violated);
    auto j = report::trace_to_json(cfg, r.trace_states, r.trace_labels, p ? std::string(p->name) : "?", r.detail);
    if (!write_file(o.trace_out, j.dump(2) + "\n")) return usage_error("--trace-out: cannot write " + o.trace_out);
  }
  if (!o.html.empty() && r.verdict == checker::Verdict::violated) {
    const Property *p = sys.property(r.violated);
    explore::Trace t{cfg, r.trace_states, r.trace_labels, p ? std::string(p->name) : "?", r.detail};
    if (!write_file(o.html, explore::trace_html(t))) return usage_error("--html: cannot write " + o.html);
  }
  if (o.json_out == "-") {
    std::cout << report::check_to_json(sys, r, start).dump(2) << "\n";
  } else {
    report::print_check(std::cout, sys, r, start);
    if (!o.json_out.empty() && !write_file(o.json_out, report::check_to_json(sys, r, start).dump(2) + "\n"))
      return usage_error("--json: cannot write " + o.json_out);
  }
  return report::exit_code(r);
}

}  // namespace

void register_check(CLI::App &app, int &status) {
  auto o = std::make_shared<CheckOptions>();
  CLI::App *cmd = app.add_subcommand("check", "exhaustively check every property of one configuration");
  add_config_options(cmd, o->config);
  cmd->add_option("--property", o->properties, "check only these properties (repeatable)");
  cmd->add_option("--json", o->json_out, "write the result as JSON to FILE ('-' for stdout)");
  cmd->add_option("--trace-out", o->trace_out, "write the counterexample as a JSON trace");
  cmd->add_option("--html", o->html, "write the counterexample as a self-contained HTML viewer");
  cmd->add_option("--max-states", o->max_states, "stop (verdict incomplete) after N states")->check(positive_number());
  cmd->add_option("--max-depth", o->max_depth, "do not expand states deeper than N steps")
      ->check(non_negative_integer());
  cmd->add_option("--time-limit", o->time_limit, "stop (verdict incomplete) after S seconds")->check(positive_number());
  cmd->add_option("--max-memory", o->max_memory, "stop (verdict incomplete) when the state store exceeds SIZE");
  CLI::Option *bitstate =
      cmd->add_option("--bitstate", o->bitstate,
                      "bitstate hashing: remember the states of expanded levels as bits in an array of SIZE (as SPIN's "
                      "-DBITSTATE); reaches further in the same memory, never exhaustively (verdict incomplete)");
  cmd->add_option("--bitstate-hashes", o->bitstate_hashes, "bits per state with --bitstate (default 3)")
      ->check(CLI::Range(1u, checker::BitFilter::kMaxHashes))
      ->needs(bitstate);
  cmd->add_flag("--quiet", o->quiet, "no progress line on stderr");
  cmd->add_option("--workers", o->workers, "threads expanding each BFS level (default: one per core; same results)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--from", o->from,
                  "explore from the state a scenario's steps reach (FILE, or FILE:LINE to stop after LINE); "
                  "configuration from FILE")
      ->group("Configuration");
  cmd->add_flag("--no-symmetry", o->no_symmetry, "store every state, not one per orbit of interchangeable tasks");
  cmd->add_flag("--no-renumber", o->no_renumber,
                "keep the kernel's asid_generation values instead of renumbering them (docs/generations.md); "
                "needs --max-depth");
  cmd->callback([o, &status] { status = run_check(*o); });
}

}  // namespace ctxsw::cli
