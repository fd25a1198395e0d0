// SPDX-License-Identifier: GPL-2.0-only
//
// The checker's own test (SPEC §5): every mutant is reported as a violation of
// one of the properties it is expected to break, with a short concrete
// counterexample that replays through the model, while the unmutated model
// passes the same configuration exhaustively.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "ctxsw/properties/properties.h"
#include "test_util.h"

namespace ctxsw {
namespace {

struct Case {
  Mutant mutant;
  int cpus, procs, kthreads, threads;
  bool exit, cnp;
  uint64_t max_states;
};

std::set<std::string> expected(Mutant m) {
  std::set<std::string> out;
  std::stringstream ss{std::string(mutant_info(m).expected)};
  for (std::string p; std::getline(ss, p, ',');) out.insert(p);
  return out;
}

Config config_of(const Case &c, Mutant m) {
  if (!c.threads && !c.cnp) return test::procs_config(c.cpus, c.procs, c.kthreads, 0, c.exit, m);
  {
    std::string text = "cpus " + std::to_string(c.cpus) + "\nasid-bits 2\n";
    for (int p = 0; p < c.procs; p++) text += "mm " + std::string(1, char('a' + p)) + "\n";
    for (int p = 0; p < c.procs; p++)
      text += "task " + std::string(1, char('A' + p)) + " user " + std::string(1, char('a' + p)) + "\n";
    for (int t = 0; t < c.threads; t++) text += "task A" + std::to_string(t + 1) + " user a\n";
    if (!c.exit) text += "option no-exit\n";
    if (c.cnp) text += "option cnp\n";
    text += "mutant " + std::string(mutant_info(m).name) + "\n";
    return test::config_from(text);
  }
}

// Replays the concrete counterexample through the model and re-checks it.
void expect_real_counterexample(const Config &cfg, const test::Result &r, const std::string &prop) {
  Model m(cfg);
  ASSERT_FALSE(r.trace_states.empty());
  State s = m.initial_state();
  ASSERT_TRUE(s == r.trace_states.front());
  for (size_t i = 0; i < r.trace_labels.size(); i++) {
    auto n = m.apply(s, r.trace_labels[i]);
    ASSERT_TRUE(n.has_value()) << "step " << i + 1 << " not enabled: " << describe_step(cfg, r.trace_labels[i]);
    s = *n;
    ASSERT_TRUE(s == r.trace_states[i + 1]) << "step " << i + 1 << " leads elsewhere";
  }
  EXPECT_NE(property_by_name(prop)->check(cfg, s), "");
}

class MutantTest : public ::testing::TestWithParam<Case> {};

TEST_P(MutantTest, CaughtWithAnExpectedPropertyAndAShortRealCounterexample) {
  const Case &c = GetParam();
  Config cfg = config_of(c, c.mutant);
  Model model(cfg);
  checker::CtxswSystem sys(model);
  checker::Limits lim;
  lim.max_states = c.max_states;
  auto r = checker::explore(sys, lim);
  ASSERT_EQ(r.verdict, checker::Verdict::violated) << mutant_info(c.mutant).name;
  std::string prop(sys.property(r.violated)->name);
  EXPECT_TRUE(expected(c.mutant).count(prop)) << mutant_info(c.mutant).name << " broke " << prop;
  EXPECT_LE(r.trace_labels.size(), 80u);
  expect_real_counterexample(cfg, r, prop);
}

const Case kCases[] = {
    // switch_to / mm refcounting: 2 CPUs, A, B, K, exit
    {Mutant::switch_to_two_args, 2, 2, 1, 0, true, false, 1'000'000},
    {Mutant::no_mmgrab_user_to_kernel, 2, 2, 1, 0, true, false, 1'000'000},
    {Mutant::drop_in_context_switch, 2, 2, 1, 0, true, false, 1'000'000},
    {Mutant::kernel_to_kernel_grab, 2, 2, 1, 0, true, false, 1'000'000},
    // allocator, one CPU: four processes on three ASIDs roll over
    {Mutant::skip_pending_flush, 1, 4, 0, 0, false, false, 1'000'000},
    {Mutant::reuse_without_bitmap, 1, 4, 0, 0, false, false, 1'000'000},
    {Mutant::alloc_from_zero, 1, 4, 0, 0, false, false, 1'000'000},
    // allocator races: two CPUs
    {Mutant::fastpath_xchg, 2, 4, 0, 0, false, false, 5'000'000},
    {Mutant::flush_forgets_reserved, 2, 4, 0, 0, false, false, 5'000'000},
    {Mutant::fastpath_plain_store, 2, 4, 0, 0, false, false, 5'000'000},
    {Mutant::cnp_no_reserved_ttbr0, 2, 4, 0, 0, false, true, 5'000'000},
};

INSTANTIATE_TEST_SUITE_P(Spec, MutantTest, ::testing::ValuesIn(kCases),
                         [](const auto &info) { return std::string(mutant_info(info.param.mutant).name); });

// kernel_to_kernel_grab is a leak: with only mm.no_leak checked it is still caught.
TEST(MutantProperty, KernelToKernelGrabLeaks) {
  Config cfg = test::procs_config(2, 2, 1, 0, true, Mutant::kernel_to_kernel_grab);
  auto r = test::check(cfg, {property_by_name("mm.no_leak")}, 2'000'000);
  ASSERT_EQ(r.verdict, checker::Verdict::violated);
  expect_real_counterexample(cfg, r, "mm.no_leak");
}

// The same configurations pass without the mutant.
TEST(Unmutated, SchedulingConfigurationHolds) {
  auto r = test::check(test::procs_config(2, 2, 1, 0, true));
  EXPECT_EQ(r.verdict, checker::Verdict::holds);
  EXPECT_GT(r.states, 10'000u);
}

TEST(Unmutated, OneCpuRolloverConfigurationHolds) {
  Config cfg = test::procs_config(1, 4, 0, 0, false);
  auto r = test::check(cfg);
  EXPECT_EQ(r.verdict, checker::Verdict::holds);  // rollovers happen here: see skip_pending_flush
}

TEST(Unmutated, TwoCpuRolloverConfigurationHolds) {
  auto r = test::check(config_of({Mutant::none, 2, 4, 0, 0, false, false, 0}, Mutant::none));
  EXPECT_EQ(r.verdict, checker::Verdict::holds);
}

TEST(Unmutated, TwoCpuRolloverConfigurationWithCnpHolds) {
  auto r = test::check(config_of({Mutant::none, 2, 4, 0, 0, false, true, 0}, Mutant::none));
  EXPECT_EQ(r.verdict, checker::Verdict::holds);
}

}  // namespace
}  // namespace ctxsw
