// SPDX-License-Identifier: GPL-2.0-only
//
// Helpers of the explore tests: run the ctxsw binary (CTXSW_BIN) and other
// programs through the shell, and read and write files.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace ctxsw::test {

struct Run {
  int status = -1;  // exit status
  std::string out;  // stdout (stderr too when the command says 2>&1)
};

inline Run run(const std::string &cmd) {
  Run r;
  FILE *p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

inline std::string bin() {
  const char *b = std::getenv("CTXSW_BIN");
  return b ? b : "build/ctxsw";
}

inline std::string read_file(const std::string &path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const std::string &path, const std::string &text) { std::ofstream(path) << text; }

// A fresh directory for one test's files.
inline std::string temp_dir(const std::string &name) {
  auto d = std::filesystem::temp_directory_path() / ("ctxsw-" + name + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d.string();
}

// The counterexample used throughout: switch_to_two_args on one CPU (7 steps).
inline const char *kMutantConfig =
    "--mutant switch_to_two_args --cpus 1 --procs 1 --kthreads 1 --fork 0 --no-tlb-fills";

}  // namespace ctxsw::test
