// SPDX-License-Identifier: GPL-2.0-only
//
// The arm64 ASID allocator of Linux 6.1 (arch/arm64/mm/context.c) as a Z3
// transition relation over bit-vectors, integers and arrays. One step of
// the relation is one step of the executable model (model/src/asid_context.cpp);
// tests/prover_agreement_test.cpp checks that, state by state.
//
// Sorts: a CPU is a 16-bit vector below the symbolic CPU count `ncpus`; an
// mm is a 32-bit vector (any number of address spaces); a hardware ASID is a
// 16-bit vector not above the symbolic `amax` = NUM_USER_ASIDS - 1, where
// asid_bits ranges over [lo, hi] ⊆ [2, 16]; a generation is an unbounded
// integer (the kernel's 64-bit counter never wraps in practice; the model's
// renumbering is exact for the same reason: generations are only compared
// for equality and incremented). context.id = generation | ASID is the pair
// (gen, asid); the value 0 is (0, 0).
//
// Scope: pinned ASIDs (arm64_mm_context_get) and KPTI pairs are off, as in
// `ctxsw check`'s default configuration.
#pragma once

#include <z3++.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ctxsw/model/mutant.h"

namespace ctxsw::prover {

inline constexpr unsigned kCpuBits = 16;   // up to 65535 CPUs
inline constexpr unsigned kMmBits = 32;    // mm_struct identities
inline constexpr unsigned kAsidBits = 16;  // hardware ASID field (asid_bits <= 16)

// Program points of a CPU inside check_and_switch_context() (model/pc.h
// names); `out` is any point outside the allocator.
#define CTXSW_APCS(X) \
  X(out)              \
  X(read_id)          \
  X(read_active)      \
  X(gen_match)        \
  X(cmpxchg)          \
  X(lock)             \
  X(new_context)      \
  X(rollover)         \
  X(fc_xchg)          \
  X(after_flush)      \
  X(set_id)           \
  X(unlock)

enum class APc : unsigned {
#define CTXSW_APC_ENUM(id) id,
  CTXSW_APCS(CTXSW_APC_ENUM)
#undef CTXSW_APC_ENUM
};
inline constexpr unsigned kNumAPcs = static_cast<unsigned>(APc::unlock) + 1;
std::string_view apc_name(APc pc);

// The steps of the relation: one per allocator program point (the CPU at
// that point executes it), and the environment steps that touch allocator
// state (a CPU entering check_and_switch_context(), fork, __mmdrop()).
enum class StepKind {
  read_id,
  read_active,
  gen_match,
  cmpxchg,
  lock,
  new_context,
  rollover,
  fc_xchg,
  after_flush,
  set_id,
  unlock,
  enter,
  fork,
  free,
};

struct StepInfo {
  StepKind kind;
  std::string_view name;       // "cmpxchg"
  std::string_view function;   // kernel function (Linux 6.1)
  std::string_view statement;  // the statement(s) the step executes
  bool environment;            // not a statement of context.c: fork, free, entering the allocator
};
std::span<const StepInfo> all_steps();
const StepInfo &step_info(StepKind k);

// How the quantifiers of the invariant and of the relation are built:
// symbolic (∀ over the whole sort, for the proof) or, for a concrete
// instance, the conjunction over its CPUs [0, cpus), mms [0, mms) and ASIDs
// [0, 2^asid_bits) (for evaluating on model states). Same formula text.
struct Domain {
  bool finite = false;
  int cpus = 0;
  int mms = 0;
  int asid_bits = 0;
};

struct Ctx {   // a context.id value
  z3::expr g;  // generation (Int)
  z3::expr a;  // hardware ASID (BV16)
};

// One allocator state. Arrays are indexed by CPU or mm.
struct AState {
  z3::expr gen;             // asid_generation (Int, as a generation number)
  z3::expr map;             // asid_map: ASID -> Bool
  z3::expr act_g, act_a;    // per_cpu(active_asids)
  z3::expr res_g, res_a;    // per_cpu(reserved_asids)
  z3::expr pend;            // tlb_flush_pending: CPU -> Bool
  z3::expr id_g, id_a;      // mm->context.id
  z3::expr live;            // mm allocated and not yet freed
  z3::expr freed;           // __mmdrop() ran
  z3::expr cur_idx;         // static cur_idx of new_context()
  z3::expr held;            // cpu_asid_lock held
  z3::expr owner;           // ... by this CPU (0 when free)
  z3::expr failed;          // new_context() found no ASID after a rollover (model: alloc_failed)
  z3::expr pc;              // CPU -> APc
  z3::expr asid_g, asid_a;  // local `asid` of check_and_switch_context()/new_context()
  z3::expr old_g, old_a;    // local `old_active_asid`
  z3::expr idx;             // flush_context() loop index i (CPU -> CPU)
  z3::expr sm;              // the mm being switched to (CPU -> mm)
  z3::expr hw;              // ghost: the hardware ASID the CPU last switched to (TTBR1_EL1.ASID)
};

struct Conjunct {
  std::string name;
  std::string reason;  // one line: why the kernel needs it
  z3::expr e;
};

class Encoding {
 public:
  Encoding(z3::context &z, Mutant mutant, Domain dom = {});
  // The same encoding (same sorts) with finite quantifiers over an instance:
  // ncpus becomes `cpus`, and amax 2^asid_bits - 1 if asid_bits > 0.
  Encoding finite(int cpus, int mms, int asid_bits) const;

  z3::context &z() const { return z_; }
  Mutant mutant() const { return mutant_; }
  const Domain &domain() const { return dom_; }
  z3::sort cpu_sort() const { return z_.bv_sort(kCpuBits); }
  z3::sort mm_sort() const { return z_.bv_sort(kMmBits); }
  z3::sort asid_sort() const { return z_.bv_sort(kAsidBits); }
  z3::sort pc_sort() const { return pc_sort_; }
  z3::expr pc(APc p) const { return pc_consts_[static_cast<unsigned>(p)](); }
  z3::expr cpu(uint64_t i) const { return z_.bv_val(i, kCpuBits); }
  z3::expr mm(uint64_t i) const { return z_.bv_val(i, kMmBits); }
  z3::expr asid(uint64_t i) const { return z_.bv_val(i, kAsidBits); }

  // Parameters: the number of CPUs and NUM_USER_ASIDS - 1.
  const z3::expr &ncpus() const { return ncpus_; }
  const z3::expr &amax() const { return amax_; }
  // 1 <= ncpus; amax = 2^b - 1 for some b in [lo, hi].
  z3::expr params(int lo_bits, int hi_bits) const;

  // A state of fresh constants "<prefix>.gen", "<prefix>.map", ...
  AState fresh(const std::string &prefix) const;

  z3::expr init(const AState &s) const;
  // s --k--> t by CPU `c`; `m` is the mm operand of enter/fork/free.
  // Choice constants (the result of find_next_zero_bit, ...) are named
  // after `tag`, so two steps in one solver do not share them.
  z3::expr step(StepKind k, const AState &s, const AState &t, const z3::expr &c, const z3::expr &m,
                const std::string &tag = "") const;
  // The disjunction of all steps, with fresh CPU and mm operands.
  z3::expr any_step(const AState &s, const AState &t, const std::string &tag = "") const;

  // The inductive invariant, conjunct by conjunct; the property is the
  // literal asid.unique_in_generation of properties/src/properties.cpp.
  std::vector<Conjunct> invariant(const AState &s) const;
  z3::expr inv(const AState &s) const;
  z3::expr property(const AState &s) const;

  // Quantifier builders (symbolic ∀ or finite conjunction, see Domain).
  template <class F>
  z3::expr all_cpus(const std::string &v, F &&body) const;
  template <class F>
  z3::expr all_mms(const std::string &v, F &&body) const;
  template <class F>
  z3::expr all_asids(const std::string &v, F &&body) const;

 private:
  z3::context &z_;
  Mutant mutant_;
  Domain dom_;
  z3::sort pc_sort_;
  z3::func_decl_vector pc_consts_;
  z3::func_decl_vector pc_testers_;
  z3::expr ncpus_, amax_;
};

template <class F>
z3::expr Encoding::all_cpus(const std::string &v, F &&body) const {
  if (dom_.finite) {
    z3::expr_vector cs(z_);
    for (int i = 0; i < dom_.cpus; i++) cs.push_back(body(cpu(i)));
    return z3::mk_and(cs);
  }
  z3::expr x = z_.bv_const(v.c_str(), kCpuBits);
  return z3::forall(x, z3::implies(z3::ult(x, ncpus_), body(x)));
}

template <class F>
z3::expr Encoding::all_mms(const std::string &v, F &&body) const {
  if (dom_.finite) {
    z3::expr_vector cs(z_);
    for (int i = 0; i < dom_.mms; i++) cs.push_back(body(mm(i)));
    return z3::mk_and(cs);
  }
  z3::expr x = z_.bv_const(v.c_str(), kMmBits);
  return z3::forall(x, body(x));
}

template <class F>
z3::expr Encoding::all_asids(const std::string &v, F &&body) const {
  if (dom_.finite) {
    z3::expr_vector cs(z_);
    for (int i = 0; i < (1 << dom_.asid_bits); i++) cs.push_back(body(asid(i)));
    return z3::mk_and(cs);
  }
  z3::expr x = z_.bv_const(v.c_str(), kAsidBits);
  return z3::forall(x, z3::implies(z3::ule(x, amax_), body(x)));
}

}  // namespace ctxsw::prover
