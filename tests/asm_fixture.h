// SPDX-License-Identifier: GPL-2.0-only
//
// Shared by the asm tests: the toolchain and default tree (built once per
// test process), shell runs of `ctxsw asm`, and broken copies of the kernel
// files made in a temporary directory (nothing of the kernel is stored in
// the repository).
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "ctxsw/asm/asm.h"

namespace ctxsw::asmtest {

namespace fs = std::filesystem;
using namespace ctxsw::asmref;

struct Setup {
  bool ok = false;
  std::string why;
  Extracted x;
  Toolchain tc;
  std::string sw_exe, ctx_exe;
};

inline const Setup &setup() {
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

// A missing toolchain or an unusable tree is a failure, not a skip: the
// README's set-up installs both, and a skip would hide a shim that no longer
// compiles. CTXSW_ASM_OPTIONAL=1 turns it into a skip on a machine without
// the cross tools.
#define REQUIRE_SETUP()                                                                            \
  do {                                                                                             \
    if (!setup().ok) {                                                                             \
      if (std::getenv("CTXSW_ASM_OPTIONAL")) GTEST_SKIP() << "no toolchain/tree: " << setup().why; \
      GTEST_FAIL() << "asm set-up failed (CTXSW_ASM_OPTIONAL=1 to skip): " << setup().why;         \
    }                                                                                              \
  } while (0)

inline std::string slurp(const fs::path &p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Runs a shell command; returns {exit status, stdout+stderr}.
inline std::pair<int, std::string> sh(const std::string &cmd) {
  std::string out;
  FILE *p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return {-1, ""};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

inline std::string ctxsw_bin() {
  const char *b = std::getenv("CTXSW_BIN");
  return b ? b : "build/ctxsw";
}

// A copy of the three kernel files with `from` replaced by `to` once in
// `file`, inside the function `function` (a C definition, found as the
// extractor finds it, or an assembly SYM_FUNC_START).
inline fs::path broken_copy(const std::string &name, const std::string &file, const std::string &function,
                            const std::string &from, const std::string &to) {
  fs::path src = setup().x.tree;
  fs::path dst = fs::temp_directory_path() / ("ctxsw-asm-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(dst);
  for (const char *f : {"Makefile", "arch/arm64/kernel/entry.S", "arch/arm64/mm/context.c"}) {
    fs::create_directories((dst / f).parent_path());
    fs::copy_file(src / f, dst / f);
  }
  std::string text = slurp(dst / file);
  size_t a =
      file.ends_with(".c") ? asmref::find_c_function(text, function) : text.find("SYM_FUNC_START(" + function + ")");
  EXPECT_NE(a, std::string::npos) << function;
  if (a == std::string::npos) a = 0;
  // `from` is a regular expression (whitespace as \s+), so that the tests
  // describe the change rather than carry the kernel's text.
  std::smatch m;
  const bool found = std::regex_search(text.cbegin() + static_cast<long>(a), text.cend(), m, std::regex(from));
  EXPECT_TRUE(found) << from;
  if (found) text.replace(a + static_cast<size_t>(m.position(0)), static_cast<size_t>(m.length(0)), to);
  std::ofstream(dst / file) << text;
  return dst;
}

}  // namespace ctxsw::asmtest
