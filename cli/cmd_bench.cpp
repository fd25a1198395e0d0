// SPDX-License-Identifier: GPL-2.0-only
//
// ctxsw bench: a fixed ladder of configurations, each explored in a child
// process (so that its peak RSS is its own), with the figures of
// docs/performance.md: distinct states, transitions, wall time, states/s,
// bytes per stored state, peak RSS, workers. Rungs too big for the machine
// stop at --max-states / --time-limit / --max-memory and say "incomplete".
// The large rungs (asidalloc-5, the SPIN shapes (a) and (b), the 3-process
// default) run only when named with --rung or with --all.
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "commands.h"
#include "ctxsw/checker/bit_extract.h"
#include "ctxsw/checker/ctxsw_system.h"
#include "ctxsw/checker/explorer.h"
#include "memory.h"
#include "options.h"

namespace ctxsw::cli {
namespace {

struct BenchOptions {
  unsigned workers = 0;
  uint64_t max_states = 0;  // 0: none
  double time_limit = 300;
  std::string max_memory = "16G";
  std::vector<std::string> only;  // rung names
  bool all = false;
  bool no_symmetry = false;
};

struct Rung {
  const char *name;
  const char *shape;  // what it corresponds to
  ConfigOptions cfg;
  bool large = false;  // only with --rung NAME or --all
};

ConfigOptions opts(
    int cpus, int asid_bits, int procs, int threads, int kthreads, int fork, bool exit,
    const char *mutant = "none") {  // (--cpus, --asid-bits, --procs, --threads, --kthreads, --fork, exit)
  ConfigOptions o;
  o.cpus = cpus;
  o.asid_bits = asid_bits;
  o.procs = procs;
  o.threads = threads;
  o.kthreads = kthreads;
  o.fork = fork;
  o.no_exit = !exit;
  o.mutant = mutant;
  return o;
}

std::vector<Rung> ladder() {
  return {
      {"default", "ctxsw check's default: 2 CPUs, asid_bits 2, A(a) B(b) K, fork 1, exit",
       opts(2, 2, 2, 0, 1, 1, true)},
      {"asidalloc-3",
       "kernel-tla asidalloc, 3 tasks: 2 CPUs, 3 tasks each with its own mm, 2-bit ASIDs "
       "(--procs 3 --kthreads 0 --fork 0 --no-exit)",
       opts(2, 2, 3, 0, 0, 0, false)},
      {"asidalloc-4", "kernel-tla asidalloc, 4 tasks (--procs 4 --kthreads 0 --fork 0 --no-exit)",
       opts(2, 2, 4, 0, 0, 0, false)},
      {"asidalloc-6", "kernel-tla asidalloc, 6 tasks (--procs 6 --kthreads 0 --fork 0 --no-exit)",
       opts(2, 2, 6, 0, 0, 0, false)},
      {"ctxsw-3t2m",
       "kernel-tla ctxsw: 2 CPUs, 3 tasks, 2 mms, preemption (--procs 2 --threads 1 --kthreads 0 "
       "--fork 0 --no-exit; A and A1 share mm a)",
       opts(2, 2, 2, 1, 0, 0, false)},
      {"fastpath_xchg-4",
       "time to find the fastpath_xchg bug (pre-a8ffaaa060b8) from scratch, 4 tasks "
       "(--mutant fastpath_xchg --procs 4 --kthreads 0 --fork 0 --no-exit)",
       opts(2, 2, 4, 0, 0, 0, false, "fastpath_xchg")},
      // Issue 7's SPIN shape (b), its task and mm counts read as bounds that
      // include what fork creates: processes A and B, and the slot fork may
      // fill with a third user task and (for a process) a third mm.
      {"spin-b",
       "SPIN shape (b): 2 CPUs, 3 user tasks, 3 mms, 2-bit ASIDs, fork and exit; the third task and mm are "
       "the ones fork creates (--procs 2 --kthreads 0 --fork 1)",
       opts(2, 2, 2, 0, 0, 1, true)},
      {"asidalloc-5", "kernel-tla asidalloc, 5 tasks (--procs 5 --kthreads 0 --fork 0 --no-exit)",
       opts(2, 2, 5, 0, 0, 0, false), true},
      {"spin-a",
       "SPIN shape (a): 3 CPUs, 1 kernel thread, 3 user tasks, 3 mms, 3-bit ASIDs, exit "
       "(--cpus 3 --kthreads 1 --procs 3 --asid-bits 3 --fork 0)",
       opts(3, 3, 3, 0, 1, 0, true), true},
      {"spin-b-4t",
       "SPIN shape (b) read with 3 processes before any fork: 4 user tasks and 4 mms once fork has run "
       "(--procs 3 --kthreads 0 --fork 1)",
       opts(2, 2, 3, 0, 0, 1, true), true},
      {"default-3p",
       "the default with a third process: 2 CPUs, asid_bits 2, A B C K, fork 1, exit (--procs 3 --kthreads 1)",
       opts(2, 2, 3, 0, 1, 1, true), true},
  };
}

struct Figures {
  int verdict = -1;  // checker::Verdict, -1: error
  uint64_t states = 0, transitions = 0;
  int depth = 0;
  double seconds = 0, bytes_per_state = 0;
  unsigned workers = 0;
  size_t record_bytes = 0, root_bytes = 0;
  char stop[64] = {};
  char property[64] = {};
};

Figures run_rung(const Config &cfg, const BenchOptions &o) {
  Figures f;
  Model model(cfg);
  checker::CtxswSystem sys(model, {}, !o.no_symmetry);
  checker::Limits lim;
  lim.workers = o.workers;
  lim.max_states = o.max_states;
  lim.time_limit_s = o.time_limit;
  lim.max_memory = parse_size(o.max_memory);
  auto r = checker::explore(sys, lim);
  f.verdict = static_cast<int>(r.verdict);
  f.states = r.states;
  f.transitions = r.transitions;
  f.depth = r.depth;
  f.seconds = r.seconds;
  f.bytes_per_state = r.bytes_per_state;
  f.workers = r.workers;
  f.record_bytes = r.record_bytes;
  f.root_bytes = r.root_bytes;
  std::snprintf(f.stop, sizeof f.stop, "%s", r.stop_reason.c_str());
  if (const Property *p = sys.property(r.violated)) std::snprintf(f.property, sizeof f.property, "%s", p->name.data());
  return f;
}

// The machine's load average (other users' work skews every figure).
std::string loadavg() {
  std::ifstream f("/proc/loadavg");
  double a = 0, b = 0, c = 0;
  if (!(f >> a >> b >> c)) return "?";
  return fmt::format("{:.2f} {:.2f} {:.2f}", a, b, c);
}

int run_bench(const BenchOptions &o) {
  if (!parse_size(o.max_memory))
    return usage_error("--max-memory: expected a size like 16G, got '" + o.max_memory + "'");
  for (const std::string &n : o.only) {
    auto l = ladder();
    if (std::none_of(l.begin(), l.end(), [&](const Rung &r) { return n == r.name; }))
      return usage_error("--rung: unknown rung '" + n + "'");
  }
  std::cout << fmt::format(
      "ctxsw bench: {} worker(s) on {} hardware threads, caps per rung: {} states, {:.0f} s, {} of state store; "
      "symmetry {}, collapse-compressed store, records packed with {}\n",
      o.workers ? o.workers : std::max(1u, std::thread::hardware_concurrency()), std::thread::hardware_concurrency(),
      o.max_states ? std::to_string(o.max_states) : "no limit on", o.time_limit, o.max_memory,
      o.no_symmetry ? "off" : "on", checker::have_bmi2() ? "BMI2 PEXT/PDEP" : "portable loops (no fast BMI2)");
  std::cout << "load average at start: " << loadavg() << "\n";
  std::cout << fmt::format("{:<16} {:>11} {:>12} {:>5} {:>8} {:>10} {:>8} {:>7} {:>5} {:>5} {:>9} {:>3}  {}\n", "rung",
                           "states", "transitions", "depth", "wall s", "states/s", "cpu s", "B/state", "B/rec", "root",
                           "peak MiB", "wk", "verdict");
  int status = 0;
  for (const Rung &rung : ladder()) {
    const bool named = std::find(o.only.begin(), o.only.end(), rung.name) != o.only.end();
    if (!o.only.empty() && !named) continue;
    if (o.only.empty() && rung.large && !o.all) continue;
    Config cfg;
    if (auto e = build_config(rung.cfg, cfg); !e.empty()) return usage_error(std::string(rung.name) + ": " + e);
    int fds[2];
    if (pipe(fds) != 0) return usage_error("pipe failed");
    std::cout.flush();
    pid_t pid = fork();
    if (pid < 0) return usage_error("fork failed");
    if (pid == 0) {
      close(fds[0]);
      Figures f;
      try {
        f = run_rung(cfg, o);
      } catch (const std::exception &e) {
        f.verdict = -1;
        std::snprintf(f.stop, sizeof f.stop, "%s", e.what());
      }
      ssize_t n = write(fds[1], &f, sizeof f);
      _exit(n == static_cast<ssize_t>(sizeof f) ? 0 : 1);
    }
    close(fds[1]);
    Figures f;
    ssize_t got = 0;
    while (got < static_cast<ssize_t>(sizeof f)) {
      ssize_t n = read(fds[0], reinterpret_cast<char *>(&f) + got, sizeof f - static_cast<size_t>(got));
      if (n <= 0) break;
      got += n;
    }
    close(fds[0]);
    int wst = 0;
    struct rusage ru {};
    wait4(pid, &wst, 0, &ru);
    if (got != static_cast<ssize_t>(sizeof f) || f.verdict < 0) {
      std::cout << fmt::format("{:<16} failed: {}\n", rung.name, got == sizeof f ? f.stop : "child died");
      status = 3;
      continue;
    }
    std::string verdict = f.verdict == static_cast<int>(checker::Verdict::holds) ? "holds (exhaustive)"
                          : f.verdict == static_cast<int>(checker::Verdict::violated)
                              ? std::string("VIOLATED ") + f.property
                              : std::string("incomplete (") + f.stop + ")";
    auto secs = [](const timeval &t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    const double cpu = secs(ru.ru_utime) + secs(ru.ru_stime);
    std::cout << fmt::format(
        "{:<16} {:>11} {:>12} {:>5} {:>8.2f} {:>10.0f} {:>8.2f} {:>7.1f} {:>5} {:>5} {:>9.0f} {:>3}  {}\n", rung.name,
        f.states, f.transitions, f.depth, f.seconds, f.seconds > 0 ? double(f.states) / f.seconds : 0.0, cpu,
        f.bytes_per_state, f.record_bytes, f.root_bytes, double(ru.ru_maxrss) / 1024.0, f.workers, verdict);
    std::cout << fmt::format("{:<16} = {} (load average after: {})\n", "", rung.shape, loadavg());
    std::cout.flush();
  }
  std::cout << "cpu s: user + system CPU time of the rung's process (less sensitive than wall time to other work "
               "on the machine); B/state: bytes of the state store per stored state (roots, parent links, table, "
               "component tables, pending pool); B/rec: one packed record; root: one stored root (a 32-bit number per "
               "component); peak MiB: the rung's process.\n";
  return status;
}

}  // namespace

void register_bench(CLI::App &app, int &status) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App *cmd = app.add_subcommand("bench", "run the benchmark ladder (docs/performance.md)");
  cmd->add_option("--workers", o->workers, "threads per rung (default: one per core)");
  cmd->add_option("--max-states", o->max_states, "cap per rung (the rung is then reported incomplete; 0: none)")
      ->capture_default_str();
  cmd->add_option("--time-limit", o->time_limit, "seconds per rung (then incomplete)")->capture_default_str();
  cmd->add_option("--max-memory", o->max_memory, "state store per rung (then incomplete)")->capture_default_str();
  cmd->add_option("--rung", o->only,
                  "run only these rungs (repeatable): default asidalloc-3 asidalloc-4 asidalloc-6 ctxsw-3t2m "
                  "fastpath_xchg-4 spin-b, and the large asidalloc-5 spin-a spin-b-4t default-3p");
  cmd->add_flag("--all", o->all, "also run the large rungs");
  cmd->add_flag("--no-symmetry", o->no_symmetry, "no symmetry reduction");
  cmd->callback([o, &status] { status = run_bench(*o); });
}

}  // namespace ctxsw::cli
