// SPDX-License-Identifier: GPL-2.0-only
//
// `ctxsw asm`: both differentials, with the minimal schedule on a mismatch.
#include <fmt/format.h>

#include <chrono>
#include <random>

#include "ctxsw/asm/asm.h"
#include "internal.h"

namespace ctxsw::asmref {
namespace {

std::vector<uint32_t> random_choices(std::mt19937_64 &rng, int n) {
  std::vector<uint32_t> v(static_cast<size_t>(n));
  for (auto &c : v) c = static_cast<uint32_t>(rng());
  return v;
}

void print_mismatch(std::ostream &out, const Model &m, const Trace &t, const Mismatch &mm, const char *title) {
  const Config &cfg = m.config();
  if (mm.step >= t.steps.size()) {  // the harness failed before any step (reset)
    out << fmt::format("MISMATCH in {}: {}: {}\n    model: {}\n    real:  {}\n", title, mm.what, mm.field, mm.model,
                       mm.real);
    return;
  }
  out << fmt::format("MISMATCH in {}: {}\n", title, mm.what);
  out << fmt::format("  first differing field: {}\n    model: {}\n    real:  {}\n", mm.field, mm.model, mm.real);
  out << fmt::format("  minimal schedule ({} steps, cpus={}, asid_bits={}):\n", mm.step + 1, cfg.cpus, cfg.asid_bits);
  for (size_t i = 0; i <= mm.step && i < t.steps.size(); i++)
    out << fmt::format("    {:3} {}{}\n", i + 1, describe_step(cfg, t.steps[i]), i == mm.step ? "   <-- differs" : "");
}

// Generates `runs` schedules, checks each, shrinks the first failing one.
template <class Check>
int differential(std::ostream &out, const char *title, Mode mode, const std::vector<Config> &cfgs, const AsmOptions &o,
                 Check check, Counters &n) {
  std::mt19937_64 rng(o.seed);
  for (int run = 0; run < o.runs; run++) {
    Model m(cfgs[static_cast<size_t>(run) % cfgs.size()]);
    Trace t = walk(m, random_choices(rng, o.steps), mode);
    std::optional<Mismatch> mm = check(m, t, n);
    if (!mm) continue;
    Counters scratch;
    Trace small = shrink(m, mode, t, [&](const Trace &c) { return check(m, c, scratch).has_value(); });
    std::optional<Mismatch> mm2 = check(m, small, scratch);
    if (!mm2) {  // flaky: report the unshrunk one
      small = t;
      mm2 = mm;
    }
    small.steps.resize(mm2->step + 1);
    print_mismatch(out, m, small, *mm2, title);
    out << fmt::format("  (schedule {} of seed {}; {} shrink attempts)\n", run + 1, o.seed, scratch.schedules);
    return 1;
  }
  return 0;
}

// The interleaved context.c differential: `runs` schedules chosen CPU first
// (walk_cpus), then the rollover-race scenarios; the first failing schedule
// is shrunk by CPUs and steps (shrink_schedule).
int interleaved(std::ostream &out, Harness &h, const AsmOptions &o, Counters &n, Counters &sc) {
  const char *title = "context.c (interleaved)";
  auto report = [&](const Config &cfg, const Trace &t, const Mismatch &first, const std::string &origin) {
    Counters scratch;
    Shrunk small = shrink_schedule(cfg, Mode::context_interleaved, t, [&](const Model &m, const Trace &c) {
      return check_context_interleaved(h, m, c, scratch).has_value();
    });
    Model m(small.cfg);
    std::optional<Mismatch> mm = check_context_interleaved(h, m, small.trace, scratch);
    if (!mm) {  // flaky: report the unshrunk one
      small.cfg = cfg;
      small.trace = t;
      mm = first;
    }
    Model shown(small.cfg);
    small.trace.steps.resize(std::min(small.trace.steps.size(), mm->step + 1));
    print_mismatch(out, shown, small.trace, *mm, title);
    out << fmt::format("  ({}; {} shrink attempts)\n", origin, small.attempts);
  };
  std::mt19937_64 rng(o.seed);
  std::vector<Config> cfgs = context_configs();
  for (int run = 0; run < o.runs; run++) {
    Model m(cfgs[static_cast<size_t>(run) % cfgs.size()]);
    Trace t = walk_cpus(m, random_choices(rng, o.steps));
    if (std::optional<Mismatch> mm = check_context_interleaved(h, m, t, n)) {
      report(m.config(), t, *mm, fmt::format("schedule {} of seed {}", run + 1, o.seed));
      return 1;
    }
  }
  for (const ScenarioSchedule &s : rollover_scenarios()) {
    Model m(s.cfg);
    if (std::optional<Mismatch> mm = check_context_interleaved(h, m, s.trace, sc)) {
      report(s.cfg, s.trace, *mm, "scenario examples/" + s.name + ".scn");
      return 1;
    }
  }
  return 0;
}

}  // namespace

int run_asm(const AsmOptions &o, std::ostream &out, std::ostream &err) {
  auto t0 = std::chrono::steady_clock::now();
  Extracted x;
  Toolchain tc;
  std::string sw_exe, ctx_exe;
  std::string cache = default_cache_dir();
  try {
    tc = find_toolchain();
    x = extract(o.kernel_src, cache);
    if (!o.only_context) sw_exe = build_switch_harness(x, tc, cache);
  } catch (const SetupError &e) {
    err << "ctxsw: error: " << e.what() << "\n";
    return 2;
  }
  out << fmt::format("kernel {} ({})\n", x.version, x.tree);
  for (const Body &b : x.bodies) out << fmt::format("  sha256 {}  {} ({})\n", b.sha256, b.name, b.file);
  out << fmt::format("  cpu_switch_to: DAIF-masking fix {}, SCS {}, ptrauth {}\n", x.daif_fix ? "present" : "absent",
                     x.scs ? "checked" : "absent", x.ptrauth ? "checked" : "absent");
  out << std::flush;

  int status = 0;
  if (!o.only_context) {
    Harness h(tc.qemu, sw_exe);
    Counters n;
    uint64_t seed = o.seed;
    status = differential(
        out, "cpu_switch_to", Mode::switch_to, {switch_config()}, o,
        [&](const Model &m, const Trace &t, Counters &c) { return check_switch(h, m, x, t, seed++, c); }, n);
    out << fmt::format("cpu_switch_to: {} schedules, {} switches checked{}\n", n.schedules, n.switches,
                       status ? " before the mismatch" : ", all agree with the model");
  }
  if (status == 0 && !o.only_switch) {
    try {
      ctx_exe = build_ctx_harness(x, tc, cache);
    } catch (const SetupError &e) {
      err << "ctxsw: error: " << e.what() << "\n";
      return 2;
    }
    Harness h(tc.qemu, ctx_exe);
    Counters n;
    try {
      status = differential(
          out, "context.c", Mode::context_seq, context_configs(), o,
          [&](const Model &m, const Trace &t, Counters &c) { return check_context(h, m, t, c); }, n);
    } catch (const SetupError &e) {
      err << "ctxsw: error: " << e.what() << "\n";
      return 2;
    }
    out << fmt::format("context.c (sequential): {} schedules, {} calls checked{}\n", n.schedules, n.calls,
                       status ? " before the mismatch" : ", all agree with the model");
    if (status == 0) {
      Counters ni, ns;
      try {
        status = interleaved(out, h, o, ni, ns);
      } catch (const SetupError &e) {
        err << "ctxsw: error: " << e.what() << "\n";
        return 2;
      }
      out << fmt::format(
          "context.c (interleaved): {} schedules ({} with CPUs interleaved inside context.c, {} with a rollover "
          "inside another CPU's fast path), {} calls, {} yield points checked{}\n",
          ni.schedules, ni.interleaved, ni.fastpath_races, ni.calls, ni.yields,
          status ? " before the mismatch" : ", all agree with the model");
      if (ns.schedules)
        out << fmt::format(
            "rollover-race scenarios (examples/*rollover*.scn): {} replayed on the real code, {} yield "
            "points checked{}\n",
            ns.schedules, ns.yields, status ? "" : ", all agree with the model");
    }
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out << fmt::format("{} ({:.1f} s)\n", status ? "MISMATCH: the real code differs from the model" : "OK", s);
  return status;
}

}  // namespace ctxsw::asmref
