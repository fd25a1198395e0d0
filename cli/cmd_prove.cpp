// SPDX-License-Identifier: GPL-2.0-only
//
// ctxsw prove: Z3 proof that asid.unique_in_generation is (implied by) an
// inductive invariant of the ASID allocator, for all sizes (docs/proof.md).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "commands.h"
#include "ctxsw/prover/prove.h"
#include "options.h"

namespace ctxsw::cli {
namespace {

struct ProveCliOptions {
  std::string asid_bits = "16";
  std::string mutant = "none";
  std::string out_dir;
  unsigned timeout = 60;
};

// "16" or "2..16".
bool parse_bits(const std::string &s, int &lo, int &hi) {
  try {
    size_t dots = s.find("..");
    size_t pos = 0;
    if (dots == std::string::npos) {
      lo = hi = std::stoi(s, &pos);
      return pos == s.size();
    }
    lo = std::stoi(s.substr(0, dots), &pos);
    if (pos != dots) return false;
    std::string rest = s.substr(dots + 2);
    hi = std::stoi(rest, &pos);
    return pos == rest.size();
  } catch (...) {
    return false;
  }
}

bool write_file(const std::filesystem::path &p, const std::string &text) {
  std::ofstream f(p, std::ios::binary);
  return f && (f << text) && f.flush();
}

// The mutants that change a step of the encoded allocator.
bool mutant_in_encoding(Mutant m) {
  switch (m) {
    case Mutant::none:
    case Mutant::fastpath_xchg:
    case Mutant::flush_forgets_reserved:
    case Mutant::reserved_check_breaks_early:
    case Mutant::fastpath_plain_store:
    case Mutant::reuse_without_bitmap:
    case Mutant::alloc_from_zero:
      return true;
    default:
      return false;
  }
}

int run_prove(const ProveCliOptions &c) {
  prover::ProveOptions o;
  if (!parse_bits(c.asid_bits, o.min_asid_bits, o.max_asid_bits) || o.min_asid_bits < 2 || o.max_asid_bits > 16 ||
      o.min_asid_bits > o.max_asid_bits)
    return usage_error("--asid-bits: expected N or LO..HI within 2..16, got '" + c.asid_bits + "'");
  auto m = mutant_by_name(c.mutant);
  if (!m) return usage_error("--mutant: unknown mutant '" + c.mutant + "' (ctxsw list-mutants)");
  if (!mutant_in_encoding(*m))
    return usage_error("--mutant " + c.mutant +
                       ": changes no step of the ASID allocator that `prove` encodes (use `ctxsw check`)");
  o.mutant = *m;
  o.timeout_s = c.timeout;
  std::filesystem::path dir(c.out_dir);
  if (!c.out_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir)) return usage_error("--out: cannot create directory " + c.out_dir);
  }

  std::cout << "ctxsw prove: asid.unique_in_generation, asid_bits " << c.asid_bits << ", any number of CPUs and mms"
            << (o.mutant == Mutant::none ? "" : ", mutant " + c.mutant) << "\n";
  prover::ProveResult r = prover::prove(o, std::cout);
  for (const prover::Obligation &ob : r.obligations)
    if (!ob.counterexample.empty()) std::cout << "\n" << ob.name << ": " << ob.counterexample;
  std::cout << "\n";
  switch (r.verdict) {
    case prover::Verdict::proved:
      std::cout << "proved: " << r.obligations.size() << " obligations unsat in " << r.seconds << " s\n";
      break;
    case prover::Verdict::failed: {
      int n = 0;
      for (const prover::Obligation &ob : r.obligations) n += ob.verdict == prover::Verdict::failed;
      std::cout << "FAILED: " << n << " obligation(s) have a counterexample (" << r.seconds << " s)\n";
      break;
    }
    case prover::Verdict::unknown:
      std::cout << "UNKNOWN: Z3 gave no answer for some obligation\n";
      break;
  }
  if (!c.out_dir.empty()) {
    for (const prover::Obligation &ob : r.obligations)
      if (!write_file(dir / prover::smt2_file_name(ob), ob.smt2))
        return usage_error("--out: cannot write " + (dir / prover::smt2_file_name(ob)).string());
    if (!write_file(dir / "REPORT.md", prover::report_markdown(o, r)))
      return usage_error("--out: cannot write " + (dir / "REPORT.md").string());
    std::cout << "wrote " << r.obligations.size() << " .smt2 files and REPORT.md to " << c.out_dir << "\n";
  }
  return r.verdict == prover::Verdict::proved ? 0 : r.verdict == prover::Verdict::failed ? 1 : 3;
}

}  // namespace

void register_prove(CLI::App &app, int &status) {
  auto o = std::make_shared<ProveCliOptions>();
  CLI::App *cmd = app.add_subcommand("prove", "Z3 proof that ASIDs are unique within a generation, for all sizes");
  cmd->add_option("--asid-bits", o->asid_bits, "asid_bits: N, or LO..HI for a symbolic range (default 16)");
  cmd->add_option("--mutant", o->mutant, "prove the allocator with this mutant (expect a counterexample)");
  cmd->add_option("--out", o->out_dir, "write one SMT-LIB 2 file per obligation and REPORT.md to DIR");
  cmd->add_option(
      "--timeout", o->timeout,
      "seconds Z3 may spend on one obligation before the small-instance counterexample search (default 60)");
  cmd->callback([o, &status] { status = run_prove(*o); });
}

}  // namespace ctxsw::cli
