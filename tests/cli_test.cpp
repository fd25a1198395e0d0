// SPDX-License-Identifier: GPL-2.0-only
//
// build/ctxsw as a user meets it: exit codes, one-line errors, lists, the
// kernel's configuration preconditions and their override.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace ctxsw {
namespace {

using test::ctxsw;

size_t lines(const std::string &s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

TEST(Cli, ListsNameEveryPropertyAndMutant) {
  auto p = ctxsw("list-properties");
  EXPECT_EQ(p.status, 0);
  for (const char *n : {"mm.no_use_after_free", "mm.count_exact", "mm.no_leak", "switch.last_is_previous",
                        "switch.context_preserved", "sched.single_cpu", "sched.no_deadlock",
                        "asid.unique_in_generation", "asid.reserved_respected", "tlb.no_stale_alias",
                        "ttbr.matches_current"})
    EXPECT_NE(p.out.find(n), std::string::npos) << n;
  auto m = ctxsw("list-mutants");
  EXPECT_EQ(m.status, 0);
  for (const MutantInfo &i : all_mutants()) EXPECT_NE(m.out.find(i.name), std::string::npos) << i.name;
}

TEST(Cli, BadInputGivesOneLineAndExit2) {
  for (const char *args : {"check --mutant bogus", "check --cpus 9", "check --asid-bits 9", "check --bogus-flag",
                           "check --property mm.nothing", "check --max-memory lots", "replay /nonexistent.scn",
                           "check --cpus 3 --asid-bits 2", "check --procs -1"}) {
    auto r = ctxsw(args);
    EXPECT_EQ(r.status, 2) << args << "\n" << r.out;
    EXPECT_EQ(lines(r.out), 1u) << args << "\n" << r.out;
    EXPECT_EQ(r.out.rfind("ctxsw: error: ", 0), 0u) << args << "\n" << r.out;
  }
}

TEST(Cli, ForbiddenConfigurationIsRefusedWithTheKernelsReasonAndExploredOnRequest) {
  auto r = ctxsw("check --cpus 3 --asid-bits 2");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("asids_update_limit()"), std::string::npos) << r.out;
  r = ctxsw("check --quiet --cpus 3 --asid-bits 2 --allow-unsafe-config --procs 4 --kthreads 0 --fork 0 --no-exit");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("asid.rollover_finds_free violated"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("shortest counterexample"), std::string::npos);
}

TEST(Cli, MutantExitsOneNamingThePropertyWithAStepByStepCounterexample) {
  auto r = ctxsw("check --quiet --mutant switch_to_two_args");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("switch.last_is_previous violated"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cpu0 switch_to: cpu_switch_to(prev, next)"), std::string::npos) << r.out;
}

TEST(Cli, StateLimitGivesAnIncompleteVerdictAndExit3) {
  auto r = ctxsw("check --quiet --max-states 100000");
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.out.find("verdict: INCOMPLETE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("states still queued"), std::string::npos) << r.out;
}

TEST(Cli, InterruptedRunPrintsItsFiguresAndExits3) {
  // SIGINT after two seconds of a run that takes far longer.
  const char *bin = std::getenv("CTXSW_BIN");
  std::string cmd = std::string("timeout --preserve-status -s INT 2 ") + (bin ? bin : "build/ctxsw") +
                    " check --quiet --procs 4 --kthreads 1 --fork 1 2>&1";
  FILE *p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  int st = pclose(p);
  ASSERT_TRUE(WIFEXITED(st)) << out;
  EXPECT_EQ(WEXITSTATUS(st), 3) << out;
  EXPECT_NE(out.find("verdict: INCOMPLETE"), std::string::npos) << out;
  EXPECT_NE(out.find("stopped: interrupted"), std::string::npos) << out;
}

TEST(Cli, JsonResultIsMachineReadable) {
  auto r = ctxsw("check --quiet --cpus 1 --procs 2 --kthreads 1 --fork 0 --json -");
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["verdict"], "holds");
  EXPECT_TRUE(j["exhaustive"].get<bool>());
  EXPECT_GT(j["states"].get<uint64_t>(), 100u);
  EXPECT_EQ(j["properties"]["mm.count_exact"], "holds");
  r = ctxsw("check --quiet --cpus 1 --procs 2 --kthreads 1 --fork 0 --mutant no_mmgrab_user_to_kernel --json -");
  ASSERT_EQ(r.status, 1);
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["verdict"], "violated");
  EXPECT_GT(j["counterexample"]["steps"].size(), 3u);
}

TEST(Cli, ReplayPassesOnTheSeedScenarios) {
  for (const char *f : {"seed000_lazy_tlb.scn", "seed000_switch_to_last.scn", "seed001_address_space.scn"}) {
    auto r = ctxsw("replay " + test::src(std::string("examples/") + f));
    EXPECT_EQ(r.status, 0) << f << r.out;
    EXPECT_NE(r.out.find("PASS"), std::string::npos);
  }
}

}  // namespace
}  // namespace ctxsw
