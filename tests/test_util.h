// SPDX-License-Identifier: GPL-2.0-only
//
// Helpers shared by the model and checker tests.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "ctxsw/checker/ctxsw_system.h"
#include "ctxsw/checker/explorer.h"
#include "ctxsw/formats/scenario.h"
#include "ctxsw/model/model.h"

namespace ctxsw::test {

// A configuration from a scenario-file header, e.g. "cpus 1\nmm a\ntask A user a".
inline Config config_from(const std::string &text) {
  Scenario sc;
  std::istringstream in(text);
  std::string err = parse_scenario(in, "<test>", sc);
  if (!err.empty()) throw std::runtime_error(err);
  return sc.cfg;
}

// The configuration `ctxsw check` builds from --procs/--kthreads/... options.
inline Config procs_config(int cpus, int procs, int kthreads, int fork, bool exit, Mutant m = Mutant::none,
                           int asid_bits = 2) {
  Config cfg;
  cfg.cpus = cpus;
  cfg.asid_bits = asid_bits;
  cfg.mm_names.clear();
  cfg.tasks.clear();
  for (int p = 0; p < procs; p++) {
    cfg.mm_names.push_back(std::string(1, static_cast<char>('a' + p)));
    cfg.tasks.push_back(
        {std::string(1, static_cast<char>('A' + p)), TaskKind::user, static_cast<uint8_t>(p + 1), true});
  }
  for (int k = 0; k < kthreads; k++)
    cfg.tasks.push_back({k == 0 ? "K" : "K" + std::to_string(k + 1), TaskKind::kthread, 0xff, true});
  cfg.fork_slots = fork;
  cfg.exit = exit;
  cfg.mutant = m;
  std::string err = finalize(cfg);
  if (!err.empty()) throw std::runtime_error(err);
  return cfg;
}

using Result = checker::Result<checker::CtxswSystem>;

inline Result check(const Config &cfg, std::vector<const Property *> props = {}, uint64_t max_states = 0,
                    bool symmetry = true) {
  Model model(cfg);
  checker::CtxswSystem sys(model, props, symmetry);
  checker::Limits lim;
  lim.max_states = max_states;
  return checker::explore(sys, lim);
}

struct Run {
  int status;
  std::string out;
};

// Runs build/ctxsw with arguments (a shell-quoted string); stderr is merged.
inline Run ctxsw(const std::string &args) {
  const char *bin = std::getenv("CTXSW_BIN");
  std::string cmd = std::string(bin ? bin : "build/ctxsw") + " " + args + " 2>&1";
  FILE *p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

inline std::string src(const std::string &rel) {
  const char *s = std::getenv("CTXSW_SRC");
  return std::string(s ? s : ".") + "/" + rel;
}

}  // namespace ctxsw::test
