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

// A one-point change to a function of the installed tree, described by what
// it does to which instruction or statement (no kernel text is carried here):
// the nth match (the first by default) after the function's start is changed.
// broken_copy() below makes a copy of the three kernel files with that change.
struct Mutation {
  enum Kind {
    swap_operands,         // the first `what` instruction: its first two operands swapped
    drop_instruction,      // the first `what` instruction (whose first operand is `arg`, if given)
    set_operand,           // the first `what` instruction: its first operand becomes `arg`
    false_condition,       // the first `if` whose condition names `what`: condition 0
    drop_assignment,       // the first assignment to `what` (of a value starting with `arg`, if given)
    break_after_store,     // the first assignment of `what` to something: followed by a break
    drop_call,             // the first call statement of the function `what`
    ignore_result,         // the first call of `what`: its value replaced by 1
    exchange_for_cmpxchg,  // the first call of the compare-exchange `what`: the exchange `arg`, no expected value
    swap_with_next,        // the first call statement of `what` and the statement after it, swapped
  } kind;
  std::string what, arg = "";
  int nth = 1;
};

// The regular expression a mutation looks for, and what replaces the match.
inline std::pair<std::string, std::string> mutation_edit(const Mutation &m) {
  const std::string w = m.what, operand = R"(([A-Za-z0-9_]+))";
  const std::string line = R"((\n[ \t]*))";  // a line's start, kept
  switch (m.kind) {
    case Mutation::swap_operands:
      return {line + w + R"([ \t]+)" + operand + R"(,[ \t]*)" + operand + ",", "$1" + w + " $3, $2,"};
    case Mutation::drop_instruction:
      return {line + w + (m.arg.empty() ? R"([ \t][^\n]*)" : R"([ \t]+)" + m.arg + R"(\b[^\n]*)"), "$1"};
    case Mutation::set_operand:
      return {line + w + R"([ \t]+)" + operand, "$1" + w + " " + m.arg};
    case Mutation::false_condition:
      return {R"(\bif[ \t]*\([^()\n]*\b)" + w + R"(\b[^()\n]*\))", "if (0)"};
    case Mutation::drop_assignment:
      return {R"(\b)" + w + R"([ \t]*=[ \t]*)" + (m.arg.empty() ? "[^=;]" : m.arg + R"(\b)") + "[^;]*;", ";"};
    case Mutation::break_after_store:
      return {R"(=[ \t]*)" + w + R"([ \t]*;)", "= " + w + "; break;"};
    case Mutation::drop_call:
      return {R"(\b)" + w + R"([ \t]*\([^;]*\)[ \t]*;)", ";"};
    case Mutation::ignore_result:  // arguments without commas in parentheses
      return {"(" + w + R"([ \t]*\([^,()]*(\([^()]*\))?[^,()]*(,[^,()]*)*\)))", "($1, 1)"};
    case Mutation::exchange_for_cmpxchg:
      return {w + R"([ \t]*\(([^,]*),\s*[^,]*,\s*([^,()]*)\))", m.arg + "($1, $2)"};
    case Mutation::swap_with_next:
      return {R"((\b)" + w + R"([ \t]*\([^;]*\)[ \t]*;)(\s*)([^;]*;))", "$3$2$1"};
  }
  return {};
}

inline fs::path broken_copy(const std::string &name, const std::string &file, const std::string &function,
                            const Mutation &mutation) {
  fs::path src = setup().x.tree;
  fs::path dst = fs::temp_directory_path() / ("ctxsw-asm-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(dst);
  for (const char *f : {"Makefile", "arch/arm64/kernel/entry.S", "arch/arm64/mm/context.c"}) {
    fs::create_directories((dst / f).parent_path());
    fs::copy_file(src / f, dst / f);
  }
  std::string text = slurp(dst / file);
  // An assembly function starts at the first macro line naming it (its linkage macro).
  std::smatch m;
  size_t a = std::string::npos;
  if (file.ends_with(".c"))
    a = asmref::find_c_function(text, function);
  else if (std::regex_search(text, m, std::regex(R"(\n[A-Z_]+\()" + function + R"(\))")))
    a = static_cast<size_t>(m.position(0));
  EXPECT_NE(a, std::string::npos) << function;
  if (a == std::string::npos) a = 0;
  const auto [from, to] = mutation_edit(mutation);
  bool found = false;
  for (int i = 0; i < mutation.nth; i++) {  // the nth match: skip the ones before it
    if (i) a += static_cast<size_t>(m.position(0) + m.length(0));
    found = std::regex_search(text.cbegin() + static_cast<long>(a), text.cend(), m, std::regex(from));
    if (!found) break;
  }
  EXPECT_TRUE(found) << from;
  if (found) text.replace(a + static_cast<size_t>(m.position(0)), static_cast<size_t>(m.length(0)), m.format(to));
  std::ofstream(dst / file) << text;
  return dst;
}

}  // namespace ctxsw::asmtest
