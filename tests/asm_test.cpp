// SPDX-License-Identifier: GPL-2.0-only
//
// The real AArch64 code under qemu-aarch64 against the model (issue 5):
// the differentials on the default tree with RapidCheck schedules, and
// detection on broken copies of the kernel files made in a temporary
// directory (nothing of the kernel is stored in the repository).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ctxsw/asm/asm.h"

namespace fs = std::filesystem;
using namespace ctxsw;
using namespace ctxsw::asmref;

namespace {

struct Setup {
  bool ok = false;
  std::string why;
  Extracted x;
  Toolchain tc;
  std::string sw_exe, ctx_exe;
};

const Setup &setup() {
  static Setup s = [] {
    Setup r;
    try {
      r.tc = find_toolchain();
      r.x = extract("", default_cache_dir());
      r.sw_exe = build_switch_harness(r.x, r.tc, default_cache_dir());
      r.ctx_exe = build_ctx_harness(r.x, r.tc, default_cache_dir());
      r.ok = true;
    } catch (const SetupError &e) {
      r.why = e.what();
    }
    return r;
  }();
  return s;
}

#define REQUIRE_SETUP()                                         \
  do {                                                          \
    if (!setup().ok) GTEST_SKIP() << "no toolchain/tree: " << setup().why; \
  } while (0)

std::string slurp(const fs::path &p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Runs a shell command; returns {exit status, stdout+stderr}.
std::pair<int, std::string> sh(const std::string &cmd) {
  std::string out;
  FILE *p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return {-1, ""};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

std::string ctxsw_bin() {
  const char *b = std::getenv("CTXSW_BIN");
  return b ? b : "build/ctxsw";
}

// A copy of the three kernel files with `from` replaced by `to` once in
// `file`, after the first occurrence of `anchor`.
fs::path broken_copy(const std::string &name, const std::string &file, const std::string &anchor,
                     const std::string &from, const std::string &to) {
  fs::path src = setup().x.tree;
  fs::path dst = fs::temp_directory_path() / ("ctxsw-asm-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(dst);
  for (const char *f : {"Makefile", "arch/arm64/kernel/entry.S", "arch/arm64/mm/context.c"}) {
    fs::create_directories((dst / f).parent_path());
    fs::copy_file(src / f, dst / f);
  }
  std::string text = slurp(dst / file);
  size_t a = text.find(anchor);
  EXPECT_NE(a, std::string::npos) << anchor;
  size_t at = text.find(from, a);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  std::ofstream(dst / file) << text;
  return dst;
}

}  // namespace

TEST(AsmExtract, Sha256KnownAnswer) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(AsmExtract, DefaultTreeBodies) {
  REQUIRE_SETUP();
  const Extracted &x = setup().x;
  EXPECT_TRUE(x.version.starts_with("6.1")) << x.version;
  ASSERT_GE(x.bodies.size(), 8u);
  EXPECT_EQ(x.bodies[0].name, "cpu_switch_to");
  for (const Body &b : x.bodies) EXPECT_EQ(b.sha256.size(), 64u) << b.name;
  EXPECT_TRUE(x.switch_body.starts_with("SYM_FUNC_START(cpu_switch_to)"));
  EXPECT_TRUE(x.daif_fix) << "the Debian 6.1 tree has the DAIF-masking fix";
  EXPECT_TRUE(x.scs && x.ptrauth);
}

TEST(AsmExtract, TreeWithoutArm64IsRefused) {
  fs::path d = fs::temp_directory_path() / ("ctxsw-asm-noarm64-" + std::to_string(getpid()));
  fs::create_directories(d / "arch" / "x86");
  EXPECT_THROW(extract(d.string(), default_cache_dir()), SetupError);
  auto [rc, out] = sh(ctxsw_bin() + " asm --kernel-src " + d.string());
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("no arch/arm64"), std::string::npos) << out;
  fs::remove_all(d);
}

TEST(AsmExtract, MissingCrossCompilerExits2) {
  auto [rc, out] = sh("CTXSW_CROSS_CC=/nonexistent/aarch64-gcc " + ctxsw_bin() + " asm --runs 1");
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("gcc-aarch64-linux-gnu"), std::string::npos) << out;
}

// Schedules chosen by RapidCheck through the model; the real cpu_switch_to
// must agree on every switch.
RC_GTEST_PROP(AsmSwitch, RealCpuSwitchToAgreesWithModel, ()) {
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

RC_GTEST_PROP(AsmContext, RealContextCAgreesWithModel, ()) {
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
TEST(AsmCounts, SchedulesExerciseSwitchesAndRollovers) {
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
  const char *name, *file, *anchor, *from, *to;
};

class AsmBrokenCopy : public ::testing::TestWithParam<Broken> {};

TEST_P(AsmBrokenCopy, ReportedAsMismatchWithMinimalSchedule) {
  REQUIRE_SETUP();
  const Broken &b = GetParam();
  fs::path d = broken_copy(b.name, b.file, b.anchor, b.from, b.to);
  auto [rc, out] = sh(ctxsw_bin() + " asm --runs 200 --kernel-src " + d.string());
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("MISMATCH in"), std::string::npos) << out;
  EXPECT_NE(out.find("first differing field"), std::string::npos) << out;
  EXPECT_NE(out.find("<-- differs"), std::string::npos) << out;
  fs::remove_all(d);
}

INSTANTIATE_TEST_SUITE_P(
    Mutations, AsmBrokenCopy,
    ::testing::Values(
        Broken{"swap_save", "arch/arm64/kernel/entry.S", "SYM_FUNC_START(cpu_switch_to)", "stp\tx21, x22, [x8], #16",
               "stp\tx22, x21, [x8], #16"},
        Broken{"no_msr_sp_el0", "arch/arm64/kernel/entry.S", "SYM_FUNC_START(cpu_switch_to)", "\tmsr\tsp_el0, x1\n",
               "\n"},
        Broken{"no_restore_irq", "arch/arm64/kernel/entry.S", "SYM_FUNC_START(cpu_switch_to)", "\trestore_irq x11\n",
               "\n"},
        Broken{"scs_save_next", "arch/arm64/kernel/entry.S", "SYM_FUNC_START(cpu_switch_to)", "scs_save x0",
               "scs_save x1"},
        Broken{"flush_forgets_reserved", "arch/arm64/mm/context.c", "static void flush_context(void)",
               "\t\tif (asid == 0)\n", "\t\tif (0)\n"},
        Broken{"cur_idx_not_updated", "arch/arm64/mm/context.c", "set_asid:", "\tcur_idx = asid;\n", "\n"},
        Broken{"reserved_check_breaks_early", "arch/arm64/mm/context.c", "static bool check_update_reserved_asid(",
               "\t\t\tper_cpu(reserved_asids, cpu) = newasid;\n",
               "\t\t\tper_cpu(reserved_asids, cpu) = newasid; break;\n"},
        Broken{"no_pending_flush", "arch/arm64/mm/context.c", "void check_and_switch_context(",
               "\t\tlocal_flush_tlb_all();\n", "\t\t;\n"}),
    [](const ::testing::TestParamInfo<Broken> &i) { return std::string(i.param.name); });

TEST(AsmCli, DefaultTreePassesAndPrintsHashesAndCounts) {
  REQUIRE_SETUP();
  auto [rc, out] = sh(ctxsw_bin() + " asm --runs 100");
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("kernel 6.1"), std::string::npos) << out;
  EXPECT_NE(out.find("sha256 "), std::string::npos) << out;
  EXPECT_NE(out.find("cpu_switch_to: 100 schedules"), std::string::npos) << out;
  EXPECT_NE(out.find("context.c (sequential): 100 schedules"), std::string::npos) << out;
}
