// SPDX-License-Identifier: GPL-2.0-only
//
// The bad inputs we tried, as a table: each must give exit 2 and exactly one
// line, "ctxsw: error: ...", naming the problem and where it is (flag,
// file:line, field) — never a crash, a partial output file or a silent run.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace ctxsw {
namespace {

using test::ctxsw;

std::string tmp(const std::string &name) { return ::testing::TempDir() + "/ctxsw_bad_" + name; }

std::string write(const std::string &name, const std::string &text) {
  std::string path = tmp(name);
  std::ofstream(path) << text;
  return path;
}

bool exists(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

struct Bad {
  std::string args;  // after "ctxsw"
  std::string says;  // a part of the one-line error
};

void expect_refused(const Bad &b) {
  auto r = ctxsw(b.args);
  EXPECT_EQ(r.status, 2) << b.args << "\n" << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << b.args << "\n" << r.out;
  EXPECT_EQ(r.out.rfind("ctxsw: error: ", 0), 0u) << b.args << "\n" << r.out;
  EXPECT_NE(r.out.find(b.says), std::string::npos) << b.args << "\n" << r.out;
}

TEST(BadInput, CommandLineFlags) {
  for (const Bad &b : std::vector<Bad>{
           {"", "A subcommand is required"},
           {"frobnicate", "frobnicate"},
           {"check --bogus-flag", "--bogus-flag"},
           {"check --mutant bogus", "--mutant: unknown mutant 'bogus'"},
           {"check --property mm.nothing", "--property: unknown property 'mm.nothing'"},
           {"check --property", "--property"},
           {"check --cpus 9", "cpus must be 1..4 (got 9)"},
           {"check --cpus 0", "cpus must be 1..4 (got 0)"},
           {"check --asid-bits 1", "asid-bits must be 2..16 (got 1)"},
           {"check --asid-bits 17", "asid-bits must be 2..16 (got 17)"},
           {"check --procs -1", "--procs, --threads and --kthreads must be >= 0"},
           {"check --procs 9", "must be <= 8"},
           {"check --procs 0 --threads 1", "--threads needs a process"},
           {"check --fork -1", "fork slots must be >= 0"},
           {"check --fork 100", "the model holds at most"},
           {"check --workers 0", "--workers"},
           {"check --workers 100000", "--workers"},
           {"check --time-limit -5", "--time-limit: expected a number > 0, got '-5'"},
           {"check --time-limit abc", "--time-limit"},
           {"check --max-depth -7", "--max-depth: expected an integer >= 0, got '-7'"},
           {"check --max-states 0", "--max-states: expected a number > 0, got '0'"},
           {"check --max-memory lots", "--max-memory: expected a size like 4G or 512M, got 'lots'"},
           {"check --max-memory 0", "--max-memory"},
           {"check --max-memory -5G", "--max-memory: expected a size like 4G or 512M, got '-5G'"},
           {"check --max-memory 99999999999G", "got '99999999999G'"},
           {"check --bitstate lots", "--bitstate: expected a size of at least 64 bytes, like 4G or 512M, got 'lots'"},
           {"check --bitstate 32", "--bitstate: expected a size of at least 64 bytes"},
           {"check --bitstate 1G --bitstate-hashes 8", "--bitstate-hashes"},
           {"check --bitstate 1G --bitstate-hashes 0", "--bitstate-hashes"},
           {"check --bitstate-hashes 5", "--bitstate-hashes requires --bitstate"},
           {"check --bitstate 2G --max-memory 1G", "--bitstate 2G leaves no room for the levels being expanded"},
           {"bench --max-memory -1G", "--max-memory"},
           {"check --no-renumber", "--no-renumber keeps the kernel's generation numbers"},
           {"check --no-renumber --max-depth 300", "give --max-depth N (N <= 250)"},
           {"prove --asid-bits 40", "--asid-bits"},
           {"bench --rung nosuch", "--rung: unknown rung 'nosuch'"},
           {"asm --runs -3", "--runs: expected a number > 0, got '-3'"},
           {"asm --steps 0", "--steps: expected a number > 0, got '0'"},
       })
    expect_refused(b);
}

// Configurations the kernel forbids: refused with the kernel's reason.
TEST(BadInput, ConfigurationsTheKernelForbids) {
  for (const Bad &b : std::vector<Bad>{
           {"check --cpus 3 --asid-bits 2", "asids_update_limit()"},
           {"check --kpti --asid-bits 2", "asids_update_limit()"},
           {"check --pinned --asid-bits 2", "max_pinned_asids"},
       })
    expect_refused(b);
}

TEST(BadInput, ScenarioAndConfigurationFilesNameTheirLine) {
  const std::string cpus = write("cpus.scn", "cpus 7\n");
  const std::string mm = write("mm.scn", "cpus 1\nmm a\ntask A user q\n");
  const std::string task = write("task.scn", "cpus 1\nmm a\ntask A user a\ncpu0 switch Z\n");
  for (const Bad &b : std::vector<Bad>{
           {"check --config " + cpus, cpus + ":1: cpus must be 1..4 (got 7)"},
           {"check --config " + mm, mm + ":3: unknown mm 'q'"},
           {"check --config /nonexistent.scn", "/nonexistent.scn"},
           {"replay " + task, task + ":4: unknown task 'Z'"},
           {"replay " + cpus, cpus + ":1:"},
           {"replay /nonexistent.scn", "/nonexistent.scn"},
       })
    expect_refused(b);
}

TEST(BadInput, TracesThatAreNotJsonOrNotOfTheirConfiguration) {
  const std::string broken = write("broken.json", "{\"format\":\"ctxsw-trace-1\"\n");
  // A real counterexample whose recorded configuration is then changed.
  const std::string good = tmp("good.json");
  ASSERT_EQ(ctxsw("check --quiet --cpus 1 --procs 2 --kthreads 1 --fork 0 --mutant no_mmgrab_user_to_kernel "
                  "--trace-out " +
                  good)
                .status,
            1);
  nlohmann::json j;
  std::ifstream(good) >> j;
  j["configuration"]["cpus"] = 2;
  const std::string other = write("other.json", j.dump());
  for (const Bad &b : std::vector<Bad>{
           {"replay " + broken, broken + ": invalid JSON"},
           {"explore " + broken, broken + ": invalid JSON"},
           {"replay " + other, other + ": initial state: "},
       })
    expect_refused(b);
  EXPECT_EQ(ctxsw("replay " + good).status, 0);  // the unchanged trace replays
}

TEST(BadInput, KernelTrees) {
  const std::string notree = tmp("notree");
  mkdir(notree.c_str(), 0755);
  mkdir((notree + "/include").c_str(), 0755);
  for (const Bad &b : std::vector<Bad>{
           {"asm --kernel-src /nonexistent", "no kernel tree at /nonexistent"},
           {"asm --kernel-src " + notree, notree + " has no arch/arm64"},
       })
    expect_refused(b);
}

// Output files are checked before a run and written whole after it: a bad
// path refuses the run, and no output (not even the good one) is left.
TEST(BadInput, NoPartialOutputFiles) {
  const std::string trace = tmp("partial_trace.json");
  std::remove(trace.c_str());
  for (const Bad &b : std::vector<Bad>{
           {"check --quiet --mutant switch_to_two_args --trace-out " + trace + " --json /nonexistent/dir/r.json",
            "cannot write /nonexistent/dir/r.json"},
           {"check --quiet --mutant switch_to_two_args --trace-out " + trace + " --html /nonexistent/dir/c.html",
            "cannot write /nonexistent/dir/c.html"},
           {"check --quiet --mutant switch_to_two_args --trace-out /nonexistent/dir/t.json",
            "cannot write /nonexistent/dir/t.json"},
       }) {
    expect_refused(b);
    EXPECT_FALSE(exists(trace)) << b.args;
    EXPECT_FALSE(exists(trace + ".tmp")) << b.args;
  }
}

}  // namespace
}  // namespace ctxsw
