// SPDX-License-Identifier: GPL-2.0-only
//
// The real AArch64 code under qemu-aarch64 against the model (issue 5):
// the differentials on the default tree with RapidCheck schedules, and
// detection on broken copies of the kernel files made in a temporary
// directory (nothing of the kernel is stored in the repository).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <thread>

#include "asm_fixture.h"

namespace fs = std::filesystem;
using namespace ctxsw;
using namespace ctxsw::asmref;
using namespace ctxsw::asmtest;

constexpr const char *kEntryS = "arch/arm64/kernel/entry.S", *kContextC = "arch/arm64/mm/context.c";

TEST(asm_extract, Sha256KnownAnswer) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(asm_extract, DefaultTreeBodies) {
  REQUIRE_SETUP();
  const Extracted &x = setup().x;
  EXPECT_TRUE(x.version.starts_with("6.1")) << x.version;
  ASSERT_GE(x.bodies.size(), 8u);
  EXPECT_EQ(x.bodies[0].name, "cpu_switch_to");
  for (const Body &b : x.bodies) EXPECT_EQ(b.sha256.size(), 64u) << b.name;
  // The body is the tree's own text, from the start of a line whose macro
  // names the function to a later one that names it again (no kernel line
  // is written here).
  const std::string entry = slurp(fs::path(x.tree) / x.bodies[0].file);
  EXPECT_NE(entry.find("\n" + x.switch_body), std::string::npos);
  const std::string first_line = x.switch_body.substr(0, x.switch_body.find('\n'));
  EXPECT_NE(first_line.find("(" + x.bodies[0].name + ")"), std::string::npos) << first_line;
  EXPECT_NE(x.switch_body.find("(" + x.bodies[0].name + ")", first_line.size()), std::string::npos)
      << "no end macro naming the function";
  EXPECT_TRUE(x.daif_fix) << "the Debian 6.1 tree has the DAIF-masking fix";
  EXPECT_TRUE(x.scs && x.ptrauth);
}

// ctest runs several asm test processes at once, each of which may build
// the harnesses into a cache that does not have them yet: concurrent builds
// into one fresh cache all succeed (they once shared one ctx_wrap.s, which
// two builds could append to twice).
TEST(asm_extract, ConcurrentBuildsIntoAFreshCacheAllSucceed) {
  REQUIRE_SETUP();
  const fs::path cache = fs::temp_directory_path() / ("ctxsw-asm-cache-" + std::to_string(getpid()));
  fs::remove_all(cache);
  std::vector<std::string> exes(4), errors(4);
  std::vector<std::thread> builders;
  for (size_t i = 0; i < exes.size(); i++)
    builders.emplace_back([&, i] {
      try {
        exes[i] = i % 2 ? build_switch_harness(setup().x, setup().tc, cache.string())
                        : build_ctx_harness(setup().x, setup().tc, cache.string());
      } catch (const SetupError &e) {
        errors[i] = e.what();
      }
    });
  for (auto &t : builders) t.join();
  for (size_t i = 0; i < exes.size(); i++) {
    EXPECT_EQ(errors[i], "") << i;
    EXPECT_TRUE(fs::is_regular_file(exes[i])) << i;
    EXPECT_EQ(exes[i], exes[i % 2]) << i;
  }
  for (const auto &e : fs::recursive_directory_iterator(cache))
    EXPECT_EQ(e.path().filename().string().find("work."), std::string::npos) << e.path();
  fs::remove_all(cache);
}

TEST(asm_extract, TreeWithoutArm64IsRefused) {
  fs::path d = fs::temp_directory_path() / ("ctxsw-asm-noarm64-" + std::to_string(getpid()));
  fs::create_directories(d / "arch" / "x86");
  EXPECT_THROW(extract(d.string(), default_cache_dir()), SetupError);
  auto [rc, out] = sh(ctxsw_bin() + " asm --kernel-src " + d.string());
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("no arch/arm64"), std::string::npos) << out;
  fs::remove_all(d);
}

TEST(asm_extract, MissingCrossCompilerExits2) {
  auto [rc, out] = sh("CTXSW_CROSS_CC=/nonexistent/aarch64-gcc " + ctxsw_bin() + " asm --runs 1");
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("gcc-aarch64-linux-gnu"), std::string::npos) << out;
}

// Schedules chosen by RapidCheck through the model; the real cpu_switch_to
// must agree on every switch.
RC_GTEST_PROP(asm_switch, RealCpuSwitchToAgreesWithModel, ()) {
  if (!setup().ok) RC_DISCARD("no toolchain");
  static Harness h(setup().tc.qemu, setup().sw_exe);
  static Model m(switch_config());
  auto choices = *rc::gen::container<std::vector<uint32_t>>(120, rc::gen::arbitrary<uint32_t>());
  uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  Trace t = walk(m, choices, Mode::switch_to);
  Counters n;
  auto mm = check_switch(h, m, setup().x, t, seed, n);
  RC_ASSERT(!mm.has_value());
  RC_ASSERT(n.schedules == 1u);
}

RC_GTEST_PROP(asm_context, RealContextCAgreesWithModel, ()) {
  if (!setup().ok) RC_DISCARD("no toolchain");
  static Harness h(setup().tc.qemu, setup().ctx_exe);
  static std::vector<Config> cfgs = context_configs();
  size_t which = *rc::gen::inRange<size_t>(0, cfgs.size());
  Model m(cfgs[which]);
  auto choices = *rc::gen::container<std::vector<uint32_t>>(250, rc::gen::arbitrary<uint32_t>());
  Trace t = walk(m, choices, Mode::context_seq);
  Counters n;
  auto mm = check_context(h, m, t, n);
  if (mm) RC_FAIL(mm->what + ": " + mm->field + ": model " + mm->model + ", real " + mm->real);
}

// The switch counts are not vacuous: a long schedule has switches, migrations
// and calls that reach a rollover.
TEST(asm_counts, SchedulesExerciseSwitchesAndRollovers) {
  REQUIRE_SETUP();
  Harness h(setup().tc.qemu, setup().ctx_exe);
  Model m(context_configs()[0]);
  std::vector<uint32_t> choices(400);
  for (size_t i = 0; i < choices.size(); i++) choices[i] = uint32_t(i * 2654435761u);
  Trace t = walk(m, choices, Mode::context_seq);
  Counters n;
  EXPECT_FALSE(check_context(h, m, t, n).has_value());
  EXPECT_GT(n.calls, 10u);
  EXPECT_GT(int(t.states.back().generation), 1) << "no rollover in the schedule";
}

struct Broken {
  const char *name, *file, *function;
  Mutation mutation;
};

class asm_broken_copy : public ::testing::TestWithParam<Broken> {};

TEST_P(asm_broken_copy, ReportedAsMismatchWithMinimalSchedule) {
  REQUIRE_SETUP();
  const Broken &b = GetParam();
  fs::path d = broken_copy(b.name, b.file, b.function, b.mutation);
  auto [rc, out] = sh(ctxsw_bin() + " asm --runs 200 --kernel-src " + d.string());
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("MISMATCH in"), std::string::npos) << out;
  EXPECT_NE(out.find("first differing field"), std::string::npos) << out;
  EXPECT_NE(out.find("<-- differs"), std::string::npos) << out;
  fs::remove_all(d);
}

INSTANTIATE_TEST_SUITE_P(
    Mutations, asm_broken_copy,
    ::testing::Values(
        // Each names the instruction or statement it changes (Mutation, asm_fixture.h).
        Broken{"swap_save", kEntryS, "cpu_switch_to", {Mutation::swap_operands, "stp", "", 2}},
        Broken{"no_msr_sp_el0", kEntryS, "cpu_switch_to", {Mutation::drop_instruction, "msr", "sp_el0"}},
        Broken{"no_restore_irq", kEntryS, "cpu_switch_to", {Mutation::drop_instruction, "restore_irq"}},
        Broken{"scs_save_next", kEntryS, "cpu_switch_to", {Mutation::set_operand, "scs_save", "x1"}},
        Broken{"flush_forgets_reserved", kContextC, "flush_context", {Mutation::false_condition, "asid"}},
        Broken{"cur_idx_not_updated", kContextC, "new_context", {Mutation::drop_assignment, "cur_idx", "asid"}},
        Broken{"reserved_check_breaks_early",
               kContextC,
               "check_update_reserved_asid",
               {Mutation::break_after_store, "newasid"}},
        Broken{
            "no_pending_flush", kContextC, "check_and_switch_context", {Mutation::drop_call, "local_flush_tlb_all"}}),
    [](const ::testing::TestParamInfo<Broken> &i) { return std::string(i.param.name); });

TEST(asm_cli, DefaultTreePassesAndPrintsHashesAndCounts) {
  REQUIRE_SETUP();
  auto [rc, out] = sh(ctxsw_bin() + " asm --runs 100");
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("kernel 6.1"), std::string::npos) << out;
  EXPECT_NE(out.find("sha256 "), std::string::npos) << out;
  EXPECT_NE(out.find("cpu_switch_to: 100 schedules"), std::string::npos) << out;
  EXPECT_NE(out.find("context.c (sequential): 100 schedules"), std::string::npos) << out;
  EXPECT_NE(out.find("context.c (interleaved): 100 schedules ("), std::string::npos) << out;
  EXPECT_NE(out.find("yield points checked, all agree with the model"), std::string::npos) << out;
  EXPECT_NE(out.find("rollover-race scenarios (examples/*rollover*.scn): 2 replayed on the real code"),
            std::string::npos)
      << out;
}
