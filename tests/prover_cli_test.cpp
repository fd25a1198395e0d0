// SPDX-License-Identifier: GPL-2.0-only
//
// `ctxsw prove` end to end: the unmutated allocator is proved for 16-bit
// ASIDs, every written .smt2 file answers `unsat` under the z3 binary and its
// SHA-256 is the one in REPORT.md; a mutant fails with a counterexample to
// induction (exit 1); bad options are usage errors (exit 2).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ctxsw/prover/prove.h"

namespace fs = std::filesystem;

namespace {

struct Proc {
  int status;
  std::string out;
};

Proc run(const std::string &cmd) {
  Proc r{-1, ""};
  FILE *p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::string bin() {
  const char *b = std::getenv("CTXSW_BIN");
  return b ? b : "build/ctxsw";
}

std::string slurp(const fs::path &p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace

TEST(ProveCli, ProvesSixteenBitAsidsAndWritesCheckableFiles) {
  fs::path dir = fs::temp_directory_path() / ("ctxsw_prove_" + std::to_string(getpid()));
  fs::remove_all(dir);
  Proc r = run(bin() + " prove --asid-bits 16 --out " + dir.string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("proved: 16 obligations"), std::string::npos) << r.out;
  std::string report = slurp(dir / "REPORT.md");
  ASSERT_FALSE(report.empty());
  int files = 0;
  for (const auto &ent : fs::directory_iterator(dir)) {
    if (ent.path().extension() != ".smt2") continue;
    files++;
    std::string text = slurp(ent.path());
    EXPECT_NE(text.find("(check-sat)"), std::string::npos) << ent.path();
    EXPECT_NE(report.find(ctxsw::prover::sha256_hex(text)), std::string::npos)
        << ent.path() << ": its hash is not in REPORT.md";
    Proc z = run("z3 -T:300 " + ent.path().string());
    EXPECT_EQ(z.out, "unsat\n") << ent.path();
  }
  EXPECT_EQ(files, 16);
  EXPECT_NE(report.find("Z3"), std::string::npos);
  EXPECT_NE(report.find("step.fc_xchg.smt2"), std::string::npos);
  fs::remove_all(dir);
}

TEST(ProveCli, MutantFailsWithACounterexampleToInduction) {
  Proc r = run(bin() + " prove --asid-bits 16 --timeout 30 --mutant reuse_without_bitmap");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("step.new_context: counterexample to induction"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("state after the step"), std::string::npos) << r.out;
}

TEST(ProveCli, UsageErrors) {
  for (const char *args :
       {"--asid-bits 17", "--asid-bits 1", "--asid-bits 9..4", "--mutant nosuch", "--mutant switch_to_two_args"}) {
    Proc r = run(bin() + " prove " + args);
    EXPECT_EQ(r.status, 2) << args << "\n" << r.out;
    EXPECT_NE(r.out.find("ctxsw: error: "), std::string::npos) << args << "\n" << r.out;
  }
}
