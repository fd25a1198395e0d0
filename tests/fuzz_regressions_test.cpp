// SPDX-License-Identifier: GPL-2.0-only
//
// The fuzz targets' bodies (fuzz/harness.cpp) run under GCC on the seed
// corpus (fuzz/corpus/*) and on every input a fuzzer found crashing
// (fuzz/regressions/*), so a fixed parser crash stays fixed in the plain
// test suite and under ASan+UBSan (build-asan). A finding aborts the test.
// The crashes found are also pinned here by the message the parser now
// gives (docs/robustness.md lists them).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "../fuzz/harness.h"
#include "ctxsw/explore/trace.h"
#include "ctxsw/formats/config_json.h"
#include "ctxsw/formats/scenario.h"

namespace ctxsw {
namespace {

namespace fs = std::filesystem;

fs::path src_dir() {
  const char *s = std::getenv("CTXSW_SRC");
  return s ? fs::path(s) : fs::current_path();
}

std::vector<fs::path> inputs(const std::string &target) {
  std::vector<fs::path> files;
  for (const char *dir : {"corpus", "regressions"}) {
    fs::path d = src_dir() / "fuzz" / dir / target;
    if (!fs::is_directory(d)) continue;
    for (const auto &e : fs::directory_iterator(d))
      if (e.is_regular_file() && e.path().filename().string().front() != '.') files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string slurp(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void run_all(const std::string &target, int (*one)(const uint8_t *, size_t), size_t at_least) {
  auto files = inputs(target);
  EXPECT_GE(files.size(), at_least) << "seed corpus fuzz/corpus/" << target << " is missing";
  for (const fs::path &f : files) {
    SCOPED_TRACE(f.string());
    std::string data = slurp(f);
    EXPECT_EQ(one(reinterpret_cast<const uint8_t *>(data.data()), data.size()), 0);
  }
}

TEST(FuzzCorpus, ScenarioInputsRunCleanly) { run_all("scenario", fuzz::scenario_one, 7); }
TEST(FuzzCorpus, TraceInputsRunCleanly) { run_all("trace", fuzz::trace_one, 2); }
TEST(FuzzCorpus, ConfigInputsRunCleanly) { run_all("config", fuzz::config_one, 3); }

// The seeds are meaningful: the scenarios from examples/ pass, the traces replay.
TEST(FuzzCorpus, SeedsAreValidInputs) {
  for (const fs::path &f : inputs("scenario")) {
    if (f.parent_path().filename() != "scenario" || f.parent_path().parent_path().filename() != "corpus") continue;
    if (f.filename().string().rfind("seed", 0) != 0 && f.filename().string().rfind("rollover", 0) != 0) continue;
    Scenario sc;
    ASSERT_EQ(load_scenario(f.string(), sc), "");
    EXPECT_TRUE(run_scenario(sc, nullptr).ok()) << f;
  }
  for (const char *name : {"switch_to_two_args_counterexample.json", "three_steps_no_violation.json"}) {
    explore::TraceFile tf;
    ASSERT_EQ(explore::load_trace((src_dir() / "fuzz/corpus/trace" / name).string(), tf), "");
    auto r = explore::replay_trace(tf);
    EXPECT_TRUE(r.ok) << name << ": " << r.message;
  }
}

// --- Findings, fixed (docs/robustness.md) ---

nlohmann::json load_json(const fs::path &p) { return nlohmann::json::parse(slurp(p)); }

// A top-level "mutant" in a trace replaced the configuration's without
// validate(): cnp_no_reserved_ttbr0 was accepted on a system without CnP,
// and the trace written back from its replay was rejected by the reader.
TEST(FuzzRegression, TraceMutantIsValidatedWithTheConfiguration) {
  explore::TraceFile tf;
  std::string e = explore::parse_trace(
      load_json(src_dir() / "fuzz/regressions/trace/mutant_override_skips_validation.json"), "t.json", tf);
  EXPECT_EQ(e, "t.json: configuration: mutant cnp_no_reserved_ttbr0 only changes CnP systems: add --cnp");
}

// A recorded field nested 200000 arrays deep overflowed the stack while
// the trace was read (basic_json's copy and dump recurse); ctxsw replay and
// explore crashed on such a file. Nested values are now refused by name.
TEST(FuzzRegression, DeeplyNestedTraceFieldIsRefusedNotCopied) {
  std::string text = slurp(src_dir() / "fuzz/corpus/trace/three_steps_no_violation.json");
  const std::string field = "\"cpu0.curr\":\"swapper/0\"";
  auto at = text.find(field);
  ASSERT_NE(at, std::string::npos);
  const size_t depth = 200000;
  text.replace(at, field.size(), "\"cpu0.curr\":" + std::string(depth, '[') + std::string(depth, ']'));
  nlohmann::json j = nlohmann::json::parse(text);  // the parser and destructor do not recurse
  explore::TraceFile tf;
  EXPECT_EQ(explore::parse_trace(j, "t.json", tf), "t.json: 'initial_state' field 'cpu0.curr' must be a string");
  j["initial_state"] = nlohmann::json::object();
  j["steps"][1]["state"]["cpu0.pc"] = nlohmann::json::array({nlohmann::json::object()});
  EXPECT_EQ(explore::parse_trace(j, "t.json", tf), "t.json: step 2: 'state' field 'cpu0.pc' must be a string");
}

// 4294967297 was read as 1 CPU (get<int> wraps).
TEST(FuzzRegression, ConfigurationNumbersOutOfIntRangeAreRefused) {
  Config cfg;
  EXPECT_EQ(config_from_json(load_json(src_dir() / "fuzz/regressions/config/cpus_2pow32_plus_1_read_as_1.json"), cfg),
            "configuration: field 'cpus' is out of range");
  auto j = load_json(src_dir() / "fuzz/corpus/config/mutant_two_procs_kthread.json");
  j["asid_bits"] = -5000000000LL;
  EXPECT_EQ(config_from_json(j, cfg), "configuration: field 'asid_bits' is out of range");
}

// finalize() adds a task and an mm per fork slot before it checks the
// total: "fork_slots": 2000000000 ran out of memory, "fork 999999" in a
// scenario took seconds. Both parsers now bound fork slots first.
TEST(FuzzRegression, HugeForkSlotCountsAreRefusedBeforeAllocation) {
  Config cfg;
  EXPECT_EQ(config_from_json(load_json(src_dir() / "fuzz/regressions/config/fork_slots_2e9_out_of_memory.json"), cfg),
            "configuration: fork_slots 2000000000: the model holds at most 12 tasks");
  Scenario sc;
  EXPECT_EQ(load_scenario((src_dir() / "fuzz/regressions/scenario/fork_999999.scn").string(), sc),
            (src_dir() / "fuzz/regressions/scenario/fork_999999.scn").string() +
                ":2: 'fork' 999999: the model holds at most 12 tasks");
  std::istringstream ok("cpus 1\nfork 12\nmm a\ntask A user a\n");
  EXPECT_NE(parse_scenario(ok, "s.scn", sc), "");  // still refused, by the model's own total check
  std::istringstream small("cpus 1\nfork 2\nmm a\ntask A user a\n");
  EXPECT_EQ(parse_scenario(small, "s.scn", sc), "");
}

}  // namespace
}  // namespace ctxsw
