// SPDX-License-Identifier: GPL-2.0-only
//
// The fixed rollover-race scenarios (examples/*rollover*.scn: the fast path
// of check_and_switch_context() racing flush_context() on another CPU, in
// both orders) as schedules for the interleaved differential.
#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "ctxsw/asm/asm.h"
#include "ctxsw/formats/scenario.h"

namespace fs = std::filesystem;

namespace ctxsw::asmref {

std::vector<ScenarioSchedule> rollover_scenarios(const std::string &examples_dir) {
  std::string dir = examples_dir;
  if (dir.empty()) {
    const char *env = std::getenv("CTXSW_EXAMPLES");
    dir = env && *env ? env : CTXSW_ASM_EXAMPLES_DIR;
  }
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto &e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".scn" && e.path().filename().string().find("rollover") != std::string::npos)
      files.push_back(e.path());
  if (files.empty()) throw SetupError("no rollover scenarios (*rollover*.scn) in " + dir);
  std::sort(files.begin(), files.end());
  std::vector<ScenarioSchedule> out;
  for (const fs::path &f : files) {
    Scenario sc;
    if (std::string e = load_scenario(f.string(), sc); !e.empty()) throw SetupError(e);
    ReplayResult r = run_scenario(sc, nullptr);
    if (!r.ok()) throw SetupError(r.failures.front());
    ScenarioSchedule s{f.stem().string(), sc.cfg, {}};
    s.cfg.renumber_generations = false;  // the kernel's generation numbers
    s.cfg.tlb_fills = false;             // TLB contents are not observable in the harness
    std::vector<Step> steps;
    for (const ReplayStep &rs : r.steps) steps.push_back(rs.step);
    s.trace = replay(Model(s.cfg), steps, Mode::context_interleaved);
    if (s.trace.steps.size() != steps.size())
      throw SetupError(f.string() + ": a step does not replay without TLB fills");
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace ctxsw::asmref
