// SPDX-License-Identifier: GPL-2.0-only
//
// Every scenario in examples/ replays with its expectations, expectations can
// fail, and malformed files are rejected naming the line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_util.h"

namespace ctxsw {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> example_files() {
  std::vector<std::string> out;
  for (const auto &e : fs::directory_iterator(test::src("examples")))
    if (e.path().extension() == ".scn") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Examples, AllSeedScenariosArePresent) {
  std::set<std::string> names;
  for (const auto &f : example_files()) names.insert(fs::path(f).filename().string());
  for (const char *want : {"seed000_lazy_tlb.scn", "seed000_lazy_chain.scn", "seed000_switch_to_last.scn",
                           "seed001_address_space.scn", "seed001_asid_cases.scn", "rollover_race_cmpxchg_first.scn",
                           "rollover_race_xchg_first.scn", "reserved_copies_two_threads.scn"})
    EXPECT_TRUE(names.count(want)) << want;
}

TEST(Examples, EveryScenarioReplaysWithItsExpectations) {
  for (const std::string &f : example_files()) {
    Scenario sc;
    ASSERT_EQ(load_scenario(f, sc), "") << f;
    ReplayResult r = run_scenario(sc, nullptr);
    EXPECT_TRUE(r.ok()) << f << ": " << (r.failures.empty() ? "" : r.failures.front());
    EXPECT_GT(r.expectations, 5) << f;
    EXPECT_GT(r.steps.size(), 10u) << f;
  }
}

std::string read(const std::string &path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ReplayResult replay_text(const std::string &text, std::string *parse_error = nullptr) {
  Scenario sc;
  std::istringstream in(text);
  std::string e = parse_scenario(in, "x.scn", sc);
  if (parse_error) *parse_error = e;
  if (!e.empty()) return {};
  return run_scenario(sc, nullptr);
}

TEST(Examples, AWrongExpectationFailsNamingItsLine) {
  std::string text = read(test::src("examples/seed000_lazy_tlb.scn"));
  size_t at = text.find("expect mm.a.mm_count = 2");
  ASSERT_NE(at, std::string::npos);
  int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
  text.replace(at, 24, "expect mm.a.mm_count = 3");
  ReplayResult r = replay_text(text);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.failures.front().find("x.scn:" + std::to_string(line) + ": expected mm.a.mm_count = 3, got 2"),
            std::string::npos)
      << r.failures.front();
}

TEST(Examples, ScenariosDetectTheMutantsTheyAreAbout) {
  std::string text = read(test::src("examples/seed000_lazy_tlb.scn"));
  text.insert(text.find("mm a\n"), "mutant no_mmgrab_user_to_kernel\n");
  EXPECT_FALSE(replay_text(text).ok());
  text = read(test::src("examples/seed000_switch_to_last.scn"));
  text.insert(text.find("mm a\n"), "mutant switch_to_two_args\n");
  EXPECT_FALSE(replay_text(text).ok());
  text = read(test::src("examples/seed001_asid_cases.scn"));
  text.insert(text.find("mm a\n"), "mutant reuse_without_bitmap\n");
  EXPECT_FALSE(replay_text(text).ok());
}

// reserved_check_breaks_early needs two threads of one mm on both CPUs through
// three rollovers (~140 steps): the directed scenario shows it.
TEST(Examples, ReservedCopiesScenarioCatchesReservedCheckBreaksEarly) {
  std::string text = read(test::src("examples/reserved_copies_two_threads.scn"));
  std::string mutated;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("expect", 0) != 0) mutated += line + "\n";
  mutated.insert(mutated.find("mm a\n"), "mutant reserved_check_breaks_early\n");
  mutated += "expect violated ttbr.matches_current\n";
  EXPECT_TRUE(replay_text(mutated).ok());
  EXPECT_TRUE(replay_text(text).ok());  // and the unmutated allocator keeps mm a on ASID 3
}

TEST(ScenarioParser, MalformedFilesAreRejectedNamingTheLine) {
  const std::pair<const char *, const char *> bad[] = {
      {"cpus 9\nmm a\ntask A user a\ncpu0 switch A\n", "x.scn:4: cpus must be 1..4"},
      {"cpus two\n", "x.scn:1: 'cpus' takes one number"},
      {"mm a\ntask A user b\n", "x.scn:2: unknown mm 'b'"},
      {"mm a\ntask A user a\ncpu0 fly A\n", "x.scn:3: unknown action 'fly'"},
      {"mm a\ntask A user a\ncpu5 switch A\n", "x.scn:3: no CPU 'cpu5'"},
      {"mm a\ntask A user a\ncpu0 switch Z\n", "x.scn:3: unknown task 'Z'"},
      {"mm a\ntask A user a\ncpu0 switch A\nmm b\n", "x.scn:4: 'mm' after the first step"},
      {"mm a\ntask A user a\nexpect mm.a.nonsense = 1\n", "x.scn:3: unknown field 'mm.a.nonsense'"},
      {"mm a\ntask A user a\nexpect holds mm.bogus\n", "x.scn:3: unknown property 'mm.bogus'"},
      {"mm a\ntask A user a\nmutant bogus\n", "x.scn:3: unknown mutant 'bogus'"},
      {"mm a\ntask A user a\ncpu0 run-to nowhere\n", "x.scn:3: unknown program point 'nowhere'"},
      {"mm a\ntask A kernel\n", "x.scn:2: task kind must be"},
      {"mm a\nmm b\ntask A user a\n", "mm b has no task using it"},
      {"cpus 3\nasid-bits 2\nmm a\ntask A user a\n", "asids_update_limit"},
  };
  for (auto [text, want] : bad) {
    std::string err;
    replay_text(text, &err);
    EXPECT_NE(err.find(want), std::string::npos) << "input:\n" << text << "error: " << err;
  }
}

TEST(ScenarioRunner, ADisabledStepFails) {
  ReplayResult r = replay_text("mm a\ntask A user a\ncpu0 step\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.failures.front().find("x.scn:3: cpu0 is not inside a kernel path"), std::string::npos);
}

}  // namespace
}  // namespace ctxsw
