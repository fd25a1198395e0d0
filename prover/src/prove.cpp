// SPDX-License-Identifier: GPL-2.0-only
//
// The obligations of the inductive-invariant proof:
//   init:        Init ∧ ¬Inv                      unsat
//   step.<k>:    Inv ∧ Step_k(s, t) ∧ ¬Inv(t)      unsat, for every step k
//   property:    Inv ∧ ¬asid.unique_in_generation  unsat
#include "ctxsw/prover/prove.h"

#include <openssl/evp.h>

#include <chrono>
#include <cstdio>
#include <iomanip>
#include <optional>
#include <set>
#include <sstream>

#include "ctxsw/prover/project.h"

namespace ctxsw::prover {

using z3::expr;
using z3::expr_vector;

std::string sha256_hex(const std::string &text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr);
  std::ostringstream o;
  for (unsigned i = 0; i < len; i++) o << std::hex << std::setw(2) << std::setfill('0') << static_cast<int>(md[i]);
  return o.str();
}

std::string smt2_file_name(const Obligation &ob) { return ob.name + ".smt2"; }

std::vector<std::pair<std::string, std::string>> invariant_conjuncts() {
  z3::context z;
  Encoding e(z, Mutant::none);
  std::vector<std::pair<std::string, std::string>> v;
  for (const Conjunct &c : e.invariant(e.fresh("s"))) v.emplace_back(c.name, c.reason);
  return v;
}

namespace {

enum class Kind { init, step, property };

struct Spec {
  Kind kind;
  StepKind step = StepKind::read_id;
};

std::string step_label(StepKind k) { return "step." + std::string(step_info(k).name); }

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The obligation's formula: hypotheses, then the negated conclusion.
void build(const Encoding &e, const Spec &sp, const ProveOptions &o, z3::solver &s, const AState &pre,
           const AState &post, const expr &c, const expr &m) {
  s.add(e.params(o.min_asid_bits, o.max_asid_bits));
  switch (sp.kind) {
    case Kind::init:
      s.add(e.init(pre));
      s.add(!e.inv(pre));
      break;
    case Kind::step:
      s.add(e.inv(pre));
      s.add(e.step(sp.step, pre, post, c, m));
      s.add(!e.inv(post));
      break;
    case Kind::property:
      s.add(e.inv(pre));
      s.add(!e.property(pre));
      break;
  }
}

// A counterexample in a small instance: k CPUs and kMms mms, every
// quantifier over them expanded (the ASID quantifiers of find_next_zero_bit
// stay symbolic), so Z3 decides it where the symbolic obligation may answer
// unknown. The state before is then checked against the symbolic Inv, the
// mms not shown being not forked (context.id 0): the counterexample is one
// of the obligation itself. Empty if none is found.
std::string counterexample(const Encoding &e, const Spec &sp, const ProveOptions &o, const AState &pre,
                           const AState &post, const expr &c, const expr &m) {
  z3::context &z = e.z();
  constexpr int kMms = 4;
  for (int k = 1; k <= 3; k++) {
    Encoding f = e.finite(k, kMms, 0);
    z3::solver s(z);
    z3::params p(z);
    p.set("timeout", 30000u);
    s.set(p);
    s.add(f.params(o.min_asid_bits, o.max_asid_bits));
    s.add(z3::ult(m, e.mm(kMms)));
    for (int i = 0; i < k; i++) s.add(z3::ult(z3::select(pre.sm, e.cpu(i)), e.mm(kMms)));
    switch (sp.kind) {
      case Kind::init:
        s.add(f.init(pre));
        s.add(!f.inv(pre));
        break;
      case Kind::step:
        s.add(f.inv(pre));
        s.add(f.step(sp.step, pre, post, c, m));
        s.add(!f.inv(post));
        break;
      case Kind::property:
        s.add(f.inv(pre));
        s.add(!f.property(pre));
        break;
    }
    if (s.check() != z3::sat) continue;
    z3::model mod = s.get_model();
    std::vector<uint64_t> mms;
    for (uint64_t i = 0; i < kMms; i++) mms.push_back(i);
    Concrete before = read_model(f, mod, pre, k, mms);
    Concrete after = read_model(f, mod, post, k, mms, before.asids);
    before = read_model(f, mod, pre, k, mms, after.asids);  // the same ASIDs shown in both
    uint64_t step_mm = 0, step_cpu = 0, amax = 0;
    mod.eval(m, true).is_numeral_u64(step_mm);
    mod.eval(c, true).is_numeral_u64(step_cpu);
    mod.eval(e.amax(), true).is_numeral_u64(amax);
    int bits = 0;
    while ((1ull << bits) - 1 < amax) bits++;

    // The state before, as a closed term, satisfies the symbolic Inv?
    std::string checked = "not checked";
    if (sp.kind != Kind::init) {
      z3::solver v(z);
      z3::params vp(z);
      vp.set("timeout", 30000u);
      v.set(vp);
      AState cs = to_terms(e, before);
      v.add(e.ncpus() == e.cpu(k) && e.amax() == e.asid(amax));
      v.add(!e.inv(cs));
      z3::check_result r = v.check();
      checked = r == z3::unsat ? "yes (for all CPUs and mms; unshown mms not forked)"
                : r == z3::sat ? "NO (an artefact of the small instance)"
                               : "unknown";
    }
    std::vector<std::string> broken;
    for (const Conjunct &cj : f.invariant(sp.kind == Kind::step ? post : pre))
      if (mod.eval(cj.e, true).is_false()) broken.push_back(cj.name);
    if (sp.kind == Kind::property) broken.push_back("asid.unique_in_generation");

    std::ostringstream out;
    out << (sp.kind == Kind::step   ? "counterexample to induction"
            : sp.kind == Kind::init ? "initial state outside Inv"
                                    : "Inv does not imply the property")
        << " (" << k << " CPU" << (k > 1 ? "s" : "") << ", asid_bits " << bits << ")\n";
    out << "violated: ";
    for (size_t i = 0; i < broken.size(); i++) out << (i ? ", " : "") << broken[i];
    out << "\n";
    if (sp.kind == Kind::step) {
      out << "state before the step (satisfies Inv: " << checked << "):\n" << format_state(before, nullptr, mms);
      const StepInfo &si = step_info(sp.step);
      out << "step: " << si.name << " by cpu" << step_cpu;
      if (si.environment) out << " on mm" << step_mm;
      out << " -- " << si.function << ": " << si.statement << "\n";
      out << "state after the step (* = changed):\n" << format_state(after, &before, mms);
    } else {
      out << "state:\n" << format_state(before, nullptr, mms);
    }
    return out.str();
  }
  return {};
}

}  // namespace

ProveResult prove(const ProveOptions &o, std::ostream &log) {
  ProveResult r;
  r.z3_version = Z3_get_full_version();
  auto t0 = std::chrono::steady_clock::now();
  std::vector<Spec> specs{{Kind::init}};
  for (const StepInfo &si : all_steps()) specs.push_back({Kind::step, si.kind});
  specs.push_back({Kind::property});

  bool all = true, any_failed = false;
  for (const Spec &sp : specs) {
    z3::context z;
    Encoding e(z, o.mutant);
    AState pre = e.fresh("s"), post = e.fresh("t");
    expr c = z.bv_const("step.cpu", kCpuBits), m = z.bv_const("step.mm", kMmBits);
    Obligation ob;
    switch (sp.kind) {
      case Kind::init:
        ob.name = "init";
        ob.statement = "Init ⇒ Inv";
        break;
      case Kind::step:
        ob.name = step_label(sp.step);
        ob.statement = "Inv ∧ Step_" + std::string(step_info(sp.step).name) + " ⇒ Inv'";
        ob.function = step_info(sp.step).function;
        ob.code = step_info(sp.step).statement;
        break;
      case Kind::property:
        ob.name = "property";
        ob.statement = "Inv ⇒ asid.unique_in_generation";
        break;
    }
    z3::solver s(z);
    build(e, sp, o, s, pre, post, c, m);
    ob.smt2 = s.to_smt2("unsat");
    ob.sha256 = sha256_hex(ob.smt2);

    // Solve the text itself: what is hashed is what is proved.
    auto t1 = std::chrono::steady_clock::now();
    z3::solver p(z);
    z3::params prm(z);
    prm.set("timeout", o.timeout_s * 1000u);
    p.set(prm);
    p.from_string(ob.smt2.c_str());
    z3::check_result cr = p.check();
    ob.seconds = since(t1);
    if (cr == z3::unsat) {
      ob.verdict = Verdict::proved;
      ob.z3_answer = "unsat";
    } else {
      // sat, or unknown (quantified hypotheses): look for a counterexample
      // in small instances, where everything is decidable.
      ob.z3_answer = cr == z3::sat ? "sat" : "unknown (" + p.reason_unknown() + ")";
      ob.counterexample = counterexample(e, sp, o, pre, post, c, m);
      ob.seconds = since(t1);
      if (!ob.counterexample.empty()) {
        ob.verdict = Verdict::failed;
        ob.z3_answer += "; counterexample found";
        any_failed = true;
      }
    }
    all = all && ob.verdict == Verdict::proved;
    log << std::left << std::setw(18) << ob.name << " " << std::setw(8)
        << (ob.verdict == Verdict::proved   ? "proved"
            : ob.verdict == Verdict::failed ? "FAILED"
                                            : "unknown")
        << std::fixed << std::setprecision(2) << ob.seconds << " s\n"
        << std::flush;
    r.obligations.push_back(std::move(ob));
  }
  r.seconds = since(t0);
  r.verdict = all ? Verdict::proved : any_failed ? Verdict::failed : Verdict::unknown;
  return r;
}

std::string report_markdown(const ProveOptions &o, const ProveResult &r) {
  std::ostringstream md;
  auto verdict = [](Verdict v) {
    return v == Verdict::proved ? "proved" : v == Verdict::failed ? "FAILED (counterexample)" : "unknown";
  };
  md << "# ctxsw prove: asid.unique_in_generation as an inductive invariant\n\n";
  md << "- Result: **" << verdict(r.verdict) << "**\n";
  md << "- Kernel: Linux 6.1, `arch/arm64/mm/context.c` (`check_and_switch_context`, `new_context`, "
        "`check_update_reserved_asid`, `flush_context`)\n";
  md << "- Mutant: `" << mutant_info(o.mutant).name << "`"
     << (o.mutant == Mutant::none ? "" : " (" + std::string(mutant_info(o.mutant).change) + ")") << "\n";
  md << "- Z3: " << r.z3_version << "\n";
  md << "- Parameters: asid_bits ";
  if (o.min_asid_bits == o.max_asid_bits)
    md << "= " << o.min_asid_bits;
  else
    md << "symbolic in [" << o.min_asid_bits << ", " << o.max_asid_bits << "]";
  md << " (NUM_USER_ASIDS = 2^asid_bits); number of CPUs symbolic in [1, " << ((1u << kCpuBits) - 1)
     << "]; mms: any subset of 2^" << kMmBits
     << " identities; asid_generation an unbounded integer; pinned ASIDs and KPTI off\n";
  md << "- Total time (all obligations, including writing the SMT-LIB text): " << std::fixed << std::setprecision(2)
     << r.seconds << " s\n\n";
  md << "Each obligation is an SMT-LIB 2 file; `z3 FILE` answers `unsat` when the implication holds.\n\n";
  md << "| obligation | statement | encodes (Linux 6.1) | result | time (s) | SHA-256 of the file |\n";
  md << "|---|---|---|---|---|---|\n";
  for (const Obligation &ob : r.obligations) {
    md << "| `" << smt2_file_name(ob) << "` | " << ob.statement << " | "
       << (ob.function.empty() ? std::string("—") : "`" + ob.function + "`: " + ob.code) << " | " << ob.z3_answer
       << " | " << std::fixed << std::setprecision(3) << ob.seconds << " | `" << ob.sha256 << "` |\n";
  }
  md << "\n## The invariant Inv\n\n";
  md << "The property (`asid.unique_in_generation`, with its `asid_map` conjunct) is implied by `ids.distinct` "
        "and `map.ids`; the other conjuncts make it inductive.\n\n";
  for (const auto &[name, reason] : invariant_conjuncts()) md << "- `" << name << "`: " << reason << "\n";
  bool any_cex = false;
  for (const Obligation &ob : r.obligations) {
    if (ob.counterexample.empty()) continue;
    if (!any_cex) md << "\n## Counterexamples\n";
    any_cex = true;
    md << "\n### " << ob.name << "\n\n```\n" << ob.counterexample << "```\n";
  }
  return md.str();
}

}  // namespace ctxsw::prover
