// SPDX-License-Identifier: GPL-2.0-only
//
// `ctxsw prove`: the proof obligations of the inductive invariant, each
// solved from its own SMT-LIB 2 text (the text that is written out and
// hashed is exactly the text Z3 proved), counterexamples to induction as
// two readable states, and the Markdown report.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "ctxsw/model/mutant.h"
#include "ctxsw/prover/encoding.h"

namespace ctxsw::prover {

struct ProveOptions {
  int min_asid_bits = 16;
  int max_asid_bits = 16;
  Mutant mutant = Mutant::none;
  unsigned timeout_s = 60;  // per obligation
};

enum class Verdict { proved, failed, unknown };

struct Obligation {
  std::string name;       // "init", "step.cmpxchg", "property"
  std::string statement;  // the implication proved, in words
  std::string function;   // kernel function(s) the step encodes ("" for init/property)
  std::string code;       // the kernel statement(s)
  std::string smt2;       // the SMT-LIB 2 text (ends in (check-sat))
  std::string sha256;     // of smt2
  Verdict verdict = Verdict::unknown;
  std::string z3_answer;  // "unsat", "sat", "unknown (reason)"
  double seconds = 0;
  std::string counterexample;  // readable, when failed
};

struct ProveResult {
  std::vector<Obligation> obligations;
  Verdict verdict = Verdict::unknown;
  double seconds = 0;
  std::string z3_version;
};

// Solves every obligation; progress lines (one per obligation) go to `log`.
ProveResult prove(const ProveOptions &o, std::ostream &log);
// The file name of an obligation's SMT-LIB text: "<name>.smt2".
std::string smt2_file_name(const Obligation &ob);
std::string report_markdown(const ProveOptions &o, const ProveResult &r);
std::string sha256_hex(const std::string &text);
// The invariant's conjuncts as "name: reason" (documentation, report).
std::vector<std::pair<std::string, std::string>> invariant_conjuncts();

}  // namespace ctxsw::prover
