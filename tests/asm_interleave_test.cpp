// SPDX-License-Identifier: GPL-2.0-only
//
// The interleaved context.c differential (issue 5 item 4): the real code runs
// one coroutine per emulated CPU, resumed access by access as the model
// steps each CPU. Agreement on the default tree (RapidCheck schedules and the
// two rollover-race scenarios), the schedules reaching the fast-path/rollover
// race, shrinking by CPUs and steps, and detection of broken copies of
// context.c that only differ from the kernel's under interleaving.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <random>

#include "asm_fixture.h"

using namespace ctxsw;
using namespace ctxsw::asmref;
using namespace ctxsw::asmtest;

namespace {

std::vector<uint32_t> choices(std::mt19937_64 &rng, size_t n) {
  std::vector<uint32_t> v(n);
  for (auto &c : v) c = static_cast<uint32_t>(rng());
  return v;
}

std::string describe(const Mismatch &m) { return m.what + ": " + m.field + ": model " + m.model + ", real " + m.real; }

// Index of the first step of `cpu` at program point `pc` at or after `from`.
size_t find_step(const Trace &t, int cpu, Pc pc, size_t from = 0) {
  for (size_t i = from; i < t.steps.size(); i++)
    if (t.steps[i].cpu == cpu && t.steps[i].action == Action::step && t.steps[i].pc == pc) return i;
  return t.steps.size();
}

struct Outcome {
  Counters n;
  std::optional<Mismatch> first;
};

// `runs` sequential schedules of the real tree behind `h`.
Outcome sequential(Harness &h, int runs, uint64_t seed) {
  Outcome o;
  std::mt19937_64 rng(seed);
  std::vector<Config> cfgs = context_configs();
  for (int r = 0; r < runs && !o.first; r++) {
    Model m(cfgs[size_t(r) % cfgs.size()]);
    o.first = check_context(h, m, walk(m, choices(rng, 200), Mode::context_seq), o.n);
  }
  return o;
}

// `runs` interleaved schedules, then the rollover-race scenarios.
Outcome interleaved(Harness &h, int runs, uint64_t seed) {
  Outcome o;
  std::mt19937_64 rng(seed);
  std::vector<Config> cfgs = context_configs();
  for (int r = 0; r < runs && !o.first; r++) {
    Model m(cfgs[size_t(r) % cfgs.size()]);
    o.first = check_context_interleaved(h, m, walk_cpus(m, choices(rng, 200)), o.n);
  }
  for (const ScenarioSchedule &s : rollover_scenarios())
    if (!o.first) o.first = check_context_interleaved(h, Model(s.cfg), s.trace, o.n);
  return o;
}

}  // namespace

// Schedules chosen by RapidCheck, CPU by CPU; the real context.c must follow
// every model step access by access and agree on every field after it.
// RapidCheck draws the configuration, the number of CPUs and one choice per
// step (walk_cpus: the CPU that proceeds, then its step). A failure is shrunk
// once by shrink_schedule() (whole CPUs, episodes, steps: the schedule that
// `ctxsw asm` prints) rather than value by value, which would rerun the real
// code thousands of times.
RC_GTEST_PROP(asm_interleave, RealContextCAgreesUnderInterleavings, ()) {
  if (!setup().ok) RC_DISCARD("no toolchain");
  static Harness h(setup().tc.qemu, setup().ctx_exe);
  static std::vector<Config> cfgs = context_configs();
  Config cfg = cfgs[*rc::gen::noShrink(rc::gen::inRange<size_t>(0, cfgs.size()))];
  int cpus = *rc::gen::noShrink(cfg.cpus == 3 ? rc::gen::weightedElement<int>({{1, 1}, {1, 2}, {4, 3}})
                                              : rc::gen::weightedElement<int>({{1, 1}, {5, 2}}));
  while (cfg.cpus > cpus) cfg = drop_cpu(cfg, cfg.cpus - 1);
  Model m(cfg);
  auto ch = *rc::gen::noShrink(rc::gen::container<std::vector<uint32_t>>(200, rc::gen::arbitrary<uint32_t>()));
  Trace t = walk_cpus(m, ch);
  Counters n;
  if (check_context_interleaved(h, m, t, n)) {
    Counters scratch;
    Shrunk small = shrink_schedule(cfg, Mode::context_interleaved, t, [&](const Model &sm, const Trace &st) {
      return check_context_interleaved(h, sm, st, scratch).has_value();
    });
    Model sm(small.cfg);
    auto mm = check_context_interleaved(h, sm, small.trace, scratch);
    RC_ASSERT(mm.has_value());
    std::string sched;
    for (size_t i = 0; i <= mm->step && i < small.trace.steps.size(); i++)
      sched += "\n  " + std::to_string(i + 1) + " " + describe_step(small.cfg, small.trace.steps[i]);
    RC_FAIL(describe(*mm) + "\nminimal schedule (" + std::to_string(small.cfg.cpus) + " CPUs, " +
            std::to_string(mm->step + 1) + " steps):" + sched);
  }
  RC_ASSERT(n.schedules == 1u);
}

// The schedules are not vacuous: CPUs are inside the allocator together, the
// yield points are checked, and a rollover lands inside another CPU's fast
// path (between its read of active_asids and its cmpxchg).
TEST(asm_interleave, SchedulesReachTheFastPathRolloverRace) {
  REQUIRE_SETUP();
  Harness h(setup().tc.qemu, setup().ctx_exe);
  Outcome o = interleaved(h, 200, 1);
  ASSERT_FALSE(o.first) << describe(*o.first);
  EXPECT_EQ(o.n.schedules, 202u);
  EXPECT_GT(o.n.interleaved, 150u);
  EXPECT_GE(o.n.fastpath_races, 3u);
  EXPECT_GT(o.n.yields, 10000u);
  EXPECT_GT(o.n.calls, 1000u);
}

// examples/rollover_race_{cmpxchg,xchg}_first.scn on the real code: both
// orders of cpu1's fast-path cmpxchg and cpu0's flush_context() xchg.
TEST(asm_interleave, RolloverRaceScenariosAgree) {
  REQUIRE_SETUP();
  Harness h(setup().tc.qemu, setup().ctx_exe);
  std::vector<ScenarioSchedule> sc = rollover_scenarios();
  ASSERT_EQ(sc.size(), 2u);
  EXPECT_EQ(sc[0].name, "rollover_race_cmpxchg_first");
  EXPECT_EQ(sc[1].name, "rollover_race_xchg_first");
  for (const ScenarioSchedule &s : sc) {
    // cpu0's rollover runs between cpu1's read of active_asids and its cmpxchg
    size_t read = find_step(s.trace, 1, Pc::casc_read_active);
    size_t cmpxchg = find_step(s.trace, 1, Pc::casc_cmpxchg, read);
    size_t xchg = find_step(s.trace, 0, Pc::fc_xchg, read);
    ASSERT_LT(cmpxchg, s.trace.steps.size()) << s.name;
    EXPECT_LT(xchg, cmpxchg) << s.name;
    Counters n;
    auto mm = check_context_interleaved(h, Model(s.cfg), s.trace, n);
    EXPECT_FALSE(mm) << s.name << ": " << describe(*mm);
    EXPECT_GT(n.yields, 60u) << s.name;
    EXPECT_EQ(n.fastpath_races, 1u) << s.name;
  }
}

// The other direction: a model with the fast path's cmpxchg turned into a
// plain store (mutant fastpath_plain_store) differs from the real code only
// when a rollover zeroes active_asids inside the window. The sequential
// differential cannot tell them apart; the scenario does.
TEST(asm_interleave, MutantModelDiffersFromRealCodeOnlyUnderInterleaving) {
  REQUIRE_SETUP();
  Harness h(setup().tc.qemu, setup().ctx_exe);
  std::mt19937_64 rng(7);
  std::vector<Config> cfgs = context_configs();
  for (int r = 0; r < 40; r++) {
    Config cfg = cfgs[size_t(r) % cfgs.size()];
    cfg.mutant = Mutant::fastpath_plain_store;
    Model m(cfg);
    Counters n;
    auto mm = check_context(h, m, walk(m, choices(rng, 200), Mode::context_seq), n);
    ASSERT_FALSE(mm) << describe(*mm);
  }
  ScenarioSchedule s = rollover_scenarios()[1];  // xchg first: cpu1's cmpxchg finds 0
  s.cfg.mutant = Mutant::fastpath_plain_store;
  Model m(s.cfg);
  Trace t = replay(m, s.trace.steps, Mode::context_interleaved);
  Counters n;
  auto mm = check_context_interleaved(h, m, t, n);
  ASSERT_TRUE(mm);
  // the model's plain store put A's ASID into active_asids[1]; the real cmpxchg found 0 and left it
  EXPECT_EQ(mm->field, "active_asids[1]") << describe(*mm);
  EXPECT_EQ(t.steps[mm->step].pc, Pc::casc_cmpxchg);
}

// Shrinking removes CPUs (from the configuration) and steps.
TEST(asm_interleave, ShrinkingRemovesCpusAndSteps) {
  Config cfg = context_configs()[1];  // 3 CPUs
  ASSERT_EQ(cfg.cpus, 3);
  Config two = drop_cpu(cfg, 1);
  EXPECT_EQ(two.cpus, 2);
  EXPECT_EQ(two.nr_tasks(), cfg.nr_tasks() - 1);
  EXPECT_EQ(two.tasks[1].name, "swapper/1");
  EXPECT_EQ(two.tasks[2].name, cfg.tasks[3].name);
  EXPECT_TRUE(validate(two).empty());
  std::vector<Step> steps = {{0, Action::schedule, Pc::running, 4},
                             {1, Action::schedule, Pc::running, 5},
                             {2, Action::schedule, Pc::running, 6},
                             {2, Action::schedule, Pc::running, 1}};
  std::vector<Step> renum = drop_cpu(steps, 1);
  ASSERT_EQ(renum.size(), 2u);  // cpu1's step and the pick of swapper/1 are gone
  EXPECT_EQ(renum[0], (Step{0, Action::schedule, Pc::running, 3}));
  EXPECT_EQ(renum[1], (Step{1, Action::schedule, Pc::running, 5}));

  // "two CPUs inside check_and_switch_context() at once", from a long 3-CPU schedule
  auto two_inside = [](const Model &m, const Trace &t) {
    for (const State &s : t.states) {
      int n = 0;
      for (int c = 0; c < m.config().cpus; c++) n += s.cpu[c].pc == Pc::casc_read_id;
      if (n >= 2) return true;
    }
    return false;
  };
  Model m(cfg);
  std::mt19937_64 rng(3);
  Trace t;
  for (int tries = 0; tries < 50 && !two_inside(m, t); tries++) t = walk_cpus(m, choices(rng, 150));
  ASSERT_TRUE(two_inside(m, t));
  ASSERT_GT(t.steps.size(), 100u);
  Shrunk s = shrink_schedule(cfg, Mode::context_interleaved, t, two_inside);
  EXPECT_EQ(s.cfg.cpus, 2);
  EXPECT_TRUE(two_inside(Model(s.cfg), s.trace));
  EXPECT_LE(s.trace.steps.size(), 6u);  // 4: on each CPU the pick and context_switch() entering the allocator
  EXPECT_GT(s.attempts, 0);
}

struct RaceOnly {
  const char *name;
  Mutation mutation;  // of check_and_switch_context()
};

class asm_interleave_broken : public ::testing::TestWithParam<RaceOnly> {};

// Broken copies of context.c that behave like the kernel's whenever a CPU
// runs check_and_switch_context() alone: the sequential differential agrees,
// the interleaved one reports the difference; the unmodified tree agrees.
TEST_P(asm_interleave_broken, OnlyTheInterleavedDifferentialReportsIt) {
  REQUIRE_SETUP();
  const RaceOnly &b = GetParam();
  fs::path d = broken_copy(b.name, "arch/arm64/mm/context.c", "check_and_switch_context", b.mutation);
  Extracted x = extract(d.string(), default_cache_dir());
  Harness h(setup().tc.qemu, build_ctx_harness(x, setup().tc, default_cache_dir()));
  Outcome seq = sequential(h, 200, 1);
  EXPECT_FALSE(seq.first) << describe(*seq.first);
  EXPECT_EQ(seq.n.schedules, 200u);
  Outcome il = interleaved(h, 200, 1);
  ASSERT_TRUE(il.first) << "not reported in " << il.n.schedules << " interleaved schedules";

  // the same through `ctxsw asm`, with the shrunk schedule
  auto [rc, out] = sh(ctxsw_bin() + " asm --only-context --runs 200 --kernel-src " + d.string());
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("context.c (sequential): 200 schedules,"), std::string::npos) << out;
  EXPECT_NE(out.find("calls checked, all agree with the model"), std::string::npos) << out;
  EXPECT_NE(out.find("MISMATCH in context.c (interleaved)"), std::string::npos) << out;
  EXPECT_NE(out.find("first differing field: access"), std::string::npos) << out;
  EXPECT_NE(out.find("<-- differs"), std::string::npos) << out;
  if (std::string(b.name) == "cmpxchg_result_ignored") {
    // only a rollover inside the fast path shows it: two CPUs, flush_context() in the schedule
    EXPECT_NE(out.find("cpus=2"), std::string::npos) << out;
    EXPECT_NE(out.find("flush_context: atomic64_xchg_relaxed"), std::string::npos) << out;
    EXPECT_NE(out.find("model: spin_lock lock"), std::string::npos) << out;
  }
  fs::remove_all(d);
}

INSTANTIATE_TEST_SUITE_P(Mutations, asm_interleave_broken,
                         ::testing::Values(
                             // before a8ffaaa060b8 "arm64: asid: Do not replace active_asids if
                             // already 0": an unconditional xchg (the model's fastpath_xchg)
                             RaceOnly{
                                 "fastpath_xchg",
                                 {Mutation::exchange_for_cmpxchg, "atomic64_cmpxchg_relaxed", "atomic64_xchg_relaxed"}},
                             // the cmpxchg's result ignored: the fast path is taken even when a
                             // concurrent flush_context() zeroed active_asids
                             RaceOnly{"cmpxchg_result_ignored", {Mutation::ignore_result, "atomic64_cmpxchg_relaxed"}},
                             // no second read of context.id under the lock: the slow path trusts
                             // the lock-free read, which another CPU's new_context() may have overtaken
                             RaceOnly{"no_reread_under_lock", {Mutation::drop_assignment, "asid", "atomic64_read", 2}},
                             // active_asids published after the unlock: a rollover in between
                             // misses this CPU's new ASID
                             RaceOnly{"unlock_before_active", {Mutation::swap_with_next, "atomic64_set", "", 2}}),
                         [](const ::testing::TestParamInfo<RaceOnly> &i) { return std::string(i.param.name); });
