// SPDX-License-Identifier: GPL-2.0-only
//
// The Z3 encoding (prover/) means the same system as the executable model:
//  - for random reachable model states of small configurations (random
//    walks, random mutants), every model step that touches allocator state
//    is admitted by the encoding's relation, and the encoding admits no
//    other successor for that step; steps that do not touch it leave the
//    projection unchanged; a CPU's allocator step is enabled in the encoding
//    exactly when the model offers it;
//  - Inv holds on every state the exhaustive search reaches (and fails on
//    some reachable state of a mutant that breaks the property), in its
//    finite form and, on a sample, in the quantified form the proof uses;
//  - Inv ∧ Step_k is satisfiable for every step k (the proof is not vacuous).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <sstream>
#include <unordered_set>

#include "ctxsw/model/model.h"
#include "ctxsw/prover/encoding.h"
#include "ctxsw/prover/project.h"

using namespace ctxsw;
using namespace ctxsw::prover;

namespace {

Config small_config(int cpus, int asid_bits, bool third_process, Mutant mutant) {
  Config cfg = default_config();
  cfg.cpus = cpus;
  cfg.asid_bits = asid_bits;
  if (third_process) {
    cfg.mm_names.push_back("c");
    cfg.tasks.push_back({"C", TaskKind::user, 3, true});
  }
  cfg.mutant = mutant;
  cfg.renumber_generations = false;  // the encoding's generation is the kernel's counter
  cfg.allow_unsafe = true;           // 3 CPUs on 3 ASIDs too: alloc_failed is encoded
  std::string err = finalize(cfg);
  if (!err.empty()) throw std::runtime_error(err);
  return cfg;
}

// The encoding's step for a model step, or nullopt when the projection does
// not change (the step does not touch allocator state). `mm` is the operand.
struct Mapped {
  StepKind kind;
  int mm = 0;
};

std::optional<Mapped> map_step(const Step &st, const Concrete &p, const Concrete &q, std::string &why) {
  int c = st.cpu;
  if (st.action == Action::step) {
    APc pc = project_pc(st.pc);
    if (pc != APc::out) return Mapped{static_cast<StepKind>(static_cast<unsigned>(pc) - 1)};
  }
  if (p == q) return std::nullopt;
  if (p.pc[c] == APc::out && q.pc[c] == APc::read_id) return Mapped{StepKind::enter, static_cast<int>(q.sm[c])};
  for (int m = 0; m < p.mms; m++) {
    if (!p.live[m] && q.live[m]) return Mapped{StepKind::fork, m};
    if (p.live[m] && !q.live[m]) return Mapped{StepKind::free, m};
  }
  why = "the step changes allocator state but is none of the encoding's steps";
  return Mapped{StepKind::enter, -1};
}

std::string show(const Concrete &c) { return format_state(c); }

// Z3 admits exactly q as the successor of p by this step (on the instance).
void check_step(const Config &cfg, const Concrete &p, const Concrete &q, const Mapped &mp, int cpu,
                const std::string &label) {
  z3::context z;
  Encoding e(z, cfg.mutant);  // the symbolic encoding the proof uses
  AState s = to_terms(e, p), t = e.fresh("t");
  z3::expr inst = e.ncpus() == e.cpu(cfg.cpus) && e.amax() == e.asid((1u << cfg.asid_bits) - 1);
  z3::expr tr = e.step(mp.kind, s, t, e.cpu(cpu), e.mm(mp.mm));
  {
    z3::solver sol(z);
    sol.add(inst && tr && agrees(e, t, q));
    RC_ASSERT_FALSE(sol.check() != z3::sat);  // the model's successor is admitted
    if (sol.check() != z3::sat) RC_FAIL(label + ": not admitted\nbefore:\n" + show(p) + "model after:\n" + show(q));
  }
  {
    z3::solver sol(z);
    sol.add(inst && tr && !agrees(e, t, q));
    z3::check_result r = sol.check();
    if (r != z3::unsat) {
      std::string other = r == z3::sat ? show(read_model(e, sol.get_model(), t, cfg.cpus,
                                                         [&] {
                                                           std::vector<uint64_t> v;
                                                           for (int m = 0; m < p.mms; m++) v.push_back(m);
                                                           return v;
                                                         }()))
                                       : "unknown";
      RC_FAIL(label + ": the encoding admits another successor\nbefore:\n" + show(p) + "model after:\n" + show(q) +
              "encoding after:\n" + other);
    }
  }
}

// Is some allocator step of `cpu` enabled in the encoding?
bool encoding_enabled(const Config &cfg, const Concrete &p, int cpu) {
  if (p.pc[cpu] == APc::out) return false;
  z3::context z;
  Encoding e(z, cfg.mutant);
  AState s = to_terms(e, p), t = e.fresh("t");
  z3::solver sol(z);
  sol.add(e.ncpus() == e.cpu(cfg.cpus) && e.amax() == e.asid((1u << cfg.asid_bits) - 1));
  sol.add(e.step(static_cast<StepKind>(static_cast<unsigned>(p.pc[cpu]) - 1), s, t, e.cpu(cpu), e.mm(0)));
  return sol.check() == z3::sat;
}

const Mutant kEncodedMutants[] = {Mutant::none,
                                  Mutant::none,
                                  Mutant::fastpath_xchg,
                                  Mutant::flush_forgets_reserved,
                                  Mutant::reserved_check_breaks_early,
                                  Mutant::fastpath_plain_store,
                                  Mutant::reuse_without_bitmap};

}  // namespace

namespace {

// Checks every successor of s (see the file comment); returns false if the
// model cannot expand s (a capacity of the model).
bool check_state(const Config &cfg, const Model &model, const State &s) {
  const Concrete p = project(cfg, s);
  std::vector<bool> model_enabled(cfg.cpus, false);
  std::vector<std::pair<Step, State>> succ;
  try {
    model.successors(s, [&](const Step &st, const State &n) { succ.emplace_back(st, n); });
  } catch (const std::exception &) {
    return false;
  }
  for (const auto &[st, n] : succ) {
    const Concrete q = project(cfg, n);
    std::string why;
    auto mp = map_step(st, p, q, why);
    if (st.action == Action::step && project_pc(st.pc) != APc::out) model_enabled[st.cpu] = true;
    if (!mp) continue;
    std::string label = describe_step(cfg, st);
    if (mp->mm < 0) RC_FAIL(label + ": " + why + "\nbefore:\n" + show(p) + "after:\n" + show(q));
    check_step(cfg, p, q, *mp, st.cpu, label);
  }
  for (int c = 0; c < cfg.cpus; c++)
    if (encoding_enabled(cfg, p, c) != model_enabled[c])
      RC_FAIL("cpu" + std::to_string(c) + ": allocator step enabled in the " +
              (model_enabled[c] ? "model" : "encoding") + " only\n" + show(p));
  return true;
}

}  // namespace

// A random walk of the model; every 25th state and the last are checked.
RC_GTEST_PROP(ProverAgreement, EncodingAdmitsExactlyTheModelSuccessor, ()) {
  const int cpus = *rc::gen::inRange(1, 4);
  const int bits = *rc::gen::inRange(2, 4);
  const bool third = bits == 2 || *rc::gen::arbitrary<bool>();  // 4 mms on 3 ASIDs: rollovers
  const Mutant mutant =
      *rc::gen::elementOf(std::vector<Mutant>(std::begin(kEncodedMutants), std::end(kEncodedMutants)));
  Config cfg = small_config(cpus, bits, third, mutant);
  cfg.tlb_fills = *rc::gen::arbitrary<bool>();  // without: longer allocator histories per walk
  Model model(cfg);
  State s = model.initial_state();
  const int len = *rc::gen::inRange(0, 400);
  int rollovers_seen = 0;
  for (int i = 0; i <= len; i++) {
    if (i % 25 == 24 || i == len) {
      if (!check_state(cfg, model, s)) break;
      rollovers_seen += s.generation > 1;
    }
    std::vector<State> next;
    try {
      model.successors(s, [&](const Step &, const State &n) { next.push_back(n); });
    } catch (const std::exception &) {
      break;  // a capacity of the model (TLB size): stop the walk here
    }
    if (next.empty()) break;
    s = next[*rc::gen::inRange<size_t>(0, next.size())];
  }
  RC_TAG(mutant_info(mutant).name);
  RC_CLASSIFY(rollovers_seen > 0, "states after a rollover checked");
}

namespace {

struct StateHash {
  size_t operator()(const State &s) const {
    return std::hash<std::string_view>{}(std::string_view(reinterpret_cast<const char *>(&s), sizeof(State)));
  }
};

// Every distinct allocator projection of the states reachable in cfg, in
// breadth-first order; with a cap, of the first `cap` states (every state up
// to some depth, then part of the next).
std::vector<Concrete> reachable_projections(const Config &cfg, size_t &states, size_t cap = SIZE_MAX) {
  Model model(cfg);
  std::unordered_set<State, StateHash> seen;
  std::deque<State> queue{model.initial_state()};
  seen.insert(queue.front());
  std::map<std::string, Concrete> projections;
  while (!queue.empty() && seen.size() < cap) {
    State s = queue.front();
    queue.pop_front();
    Concrete c = project(cfg, s);
    projections.emplace(format_state(c), c);
    model.successors(s, [&](const Step &, const State &n) {
      if (seen.insert(n).second) queue.push_back(n);
    });
  }
  states = seen.size();
  std::vector<Concrete> v;
  for (auto &[k, c] : projections) v.push_back(c);
  return v;
}

// Four processes and no exit/fork: 4 mms on 3 ASIDs roll over.
Config exhaustive_config(int cpus, Mutant mutant) {
  Config cfg = default_config();
  cfg.cpus = cpus;
  cfg.asid_bits = 2;
  cfg.tlb_fills = false;  // TLB contents are not allocator state: fewer states, same projections
  // Inv names the generation before the current one (R = G - 1 while a
  // flush runs), which the dense renumbering does not preserve when that
  // generation has no value left; so the kernel's own numbering, and a cap.
  cfg.renumber_generations = false;
  {
    cfg.mm_names = {"a", "b", "c", "d"};
    cfg.tasks = {{"A", TaskKind::user, 1, true},
                 {"B", TaskKind::user, 2, true},
                 {"C", TaskKind::user, 3, true},
                 {"D", TaskKind::user, 4, true}};
    cfg.exit = false;
    cfg.fork_slots = 0;
  }
  cfg.mutant = mutant;
  EXPECT_EQ(finalize(cfg), "");
  return cfg;
}

// Which conjuncts of Inv (finite form, instance of cfg) fail on c.
std::vector<std::string> failing(const Encoding &e, const Concrete &c) {
  std::vector<std::string> bad;
  for (const Conjunct &cj : e.invariant(to_terms(e, c))) {
    z3::expr v = cj.e.simplify();
    if (!v.is_true()) bad.push_back(cj.name + (v.is_false() ? "" : " (not simplified: " + v.to_string() + ")"));
  }
  return bad;
}

Encoding finite_encoding(z3::context &z, const Config &cfg) {
  return Encoding(z, cfg.mutant).finite(cfg.cpus, cfg.nr_mms(), cfg.asid_bits);
}

}  // namespace

TEST(ProverInvariant, HoldsOnEveryReachableState) {
  // The first 150000 states breadth-first: every state up to some depth
  // (without renumbering the generations grow, so the space is unbounded).
  for (int cpus : {1, 2}) {
    Config cfg = exhaustive_config(cpus, Mutant::none);
    size_t states = 0;
    std::vector<Concrete> proj = reachable_projections(cfg, states, 150000);
    ASSERT_GT(proj.size(), 10u);
    // The search must reach rollovers, or Inv would be tested on the easy half only.
    ASSERT_TRUE(std::any_of(proj.begin(), proj.end(), [](const Concrete &c) { return c.gen > 1; }))
        << "no rollover reached";
    z3::context z;
    Encoding fe = finite_encoding(z, cfg);
    for (const Concrete &c : proj) {
      std::vector<std::string> bad = failing(fe, c);
      ASSERT_TRUE(bad.empty()) << "Inv fails (" << bad.front() << ") on a reachable state:\n" << format_state(c);
    }
    // The quantified form the proof uses agrees on a sample.
    for (size_t i = 0; i < proj.size(); i += std::max<size_t>(1, proj.size() / 25)) {
      z3::context z;
      Encoding e(z, Mutant::none);
      z3::solver sol(z);
      sol.add(e.ncpus() == e.cpu(cfg.cpus) && e.amax() == e.asid((1u << cfg.asid_bits) - 1));
      sol.add(!e.inv(to_terms(e, proj[i])));
      ASSERT_EQ(sol.check(), z3::unsat) << format_state(proj[i]);
    }
    std::cout << cpus << " CPUs: " << states << " reachable states visited, " << proj.size()
              << " distinct allocator states, Inv holds on all\n";
  }
}

TEST(ProverInvariant, FailsOnSomeReachableStateOfABrokenAllocator) {
  for (Mutant m : {Mutant::reuse_without_bitmap}) {
    Config cfg = exhaustive_config(1, m);
    size_t states = 0;
    bool found = false;
    z3::context z;
    Encoding fe = finite_encoding(z, cfg);
    for (const Concrete &c : reachable_projections(cfg, states, 150000))
      if (!failing(fe, c).empty()) {
        found = true;
        break;
      }
    EXPECT_TRUE(found) << mutant_info(m).name << ": Inv holds on all " << states << " reachable states";
  }
}

TEST(ProverInvariant, EveryStepIsPossibleUnderInv) {
  z3::context z;
  Encoding e = Encoding(z, Mutant::none).finite(2, 3, 2);
  AState s = e.fresh("s"), t = e.fresh("t");
  for (const StepInfo &si : all_steps()) {
    z3::solver sol(z);
    sol.add(e.params(2, 2));
    sol.add(e.inv(s));
    sol.add(e.step(si.kind, s, t, z.bv_const("c", kCpuBits), z.bv_const("m", kMmBits)));
    EXPECT_EQ(sol.check(), z3::sat) << "step " << si.name << " never happens under Inv: its obligation is vacuous";
  }
}
