// SPDX-License-Identifier: GPL-2.0-only
//
// The transition relation and the inductive invariant (docs/proof.md).
// Each step below quotes the 6.1 statement it encodes; the model's
// function of the same name is in model/src/asid_context.cpp.
#include "ctxsw/prover/encoding.h"

#include <array>

namespace ctxsw::prover {

using z3::expr;
using z3::expr_vector;

namespace {

constexpr std::array<StepInfo, 14> kSteps{{
    {StepKind::read_id, "read_id", "check_and_switch_context", "asid = atomic64_read(&mm->context.id)", false},
    {StepKind::read_active, "read_active", "check_and_switch_context",
     "old_active_asid = atomic64_read(this_cpu_ptr(&active_asids)); if (old_active_asid && ...", false},
    {StepKind::gen_match, "gen_match", "check_and_switch_context",
     "... && asid_gen_match(asid) && ...  (atomic64_read(&asid_generation))", false},
    {StepKind::cmpxchg, "cmpxchg", "check_and_switch_context",
     "... && atomic64_cmpxchg_relaxed(this_cpu_ptr(&active_asids), old_active_asid, asid)) goto switch_mm_fastpath",
     false},
    {StepKind::lock, "lock", "check_and_switch_context", "raw_spin_lock_irqsave(&cpu_asid_lock, flags)", false},
    {StepKind::new_context, "new_context", "check_and_switch_context, new_context, check_update_reserved_asid",
     "asid = atomic64_read(&mm->context.id); if (!asid_gen_match(asid)) asid = new_context(mm) up to "
     "set_asid or the rollover",
     false},
    {StepKind::rollover, "rollover", "new_context, flush_context",
     "generation = atomic64_add_return_relaxed(ASID_FIRST_VERSION, &asid_generation); "
     "set_reserved_asid_bits()",
     false},
    {StepKind::fc_xchg, "fc_xchg", "flush_context",
     "asid = atomic64_xchg_relaxed(&per_cpu(active_asids, i), 0); if (asid == 0) asid = per_cpu(reserved_asids, "
     "i); __set_bit(ctxid2asid(asid), asid_map); per_cpu(reserved_asids, i) = asid",
     false},
    {StepKind::after_flush, "after_flush", "flush_context, new_context",
     "cpumask_setall(&tlb_flush_pending); asid = find_next_zero_bit(asid_map, NUM_USER_ASIDS, 1); "
     "__set_bit(asid, asid_map); cur_idx = asid",
     false},
    {StepKind::set_id, "set_id", "check_and_switch_context", "atomic64_set(&mm->context.id, asid)", false},
    {StepKind::unlock, "unlock", "check_and_switch_context",
     "if (cpumask_test_and_clear_cpu(cpu, &tlb_flush_pending)) local_flush_tlb_all(); "
     "atomic64_set(this_cpu_ptr(&active_asids), asid); raw_spin_unlock_irqrestore(&cpu_asid_lock, flags)",
     false},
    {StepKind::enter, "enter", "__switch_mm", "check_and_switch_context(next) (next != &init_mm is irrelevant here)",
     true},
    {StepKind::fork, "fork", "dup_mm, init_new_context", "a new mm_struct with atomic64_set(&mm->context.id, 0)", true},
    {StepKind::free, "free", "__mmdrop", "the last mmdrop() frees the mm (model: context.id cleared)", true},
}};

}  // namespace

std::string_view apc_name(APc pc) {
  switch (pc) {
#define CTXSW_APC_NAME(id) \
  case APc::id:            \
    return #id;
    CTXSW_APCS(CTXSW_APC_NAME)
#undef CTXSW_APC_NAME
  }
  return "?";
}

std::span<const StepInfo> all_steps() { return kSteps; }
const StepInfo &step_info(StepKind k) { return kSteps[static_cast<size_t>(k)]; }

Encoding::Encoding(z3::context &z, Mutant mutant, Domain dom)
    : z_(z),
      mutant_(mutant),
      dom_(dom),
      pc_sort_(z),
      pc_consts_(z),
      pc_testers_(z),
      ncpus_(z.bv_const("ncpus", kCpuBits)),
      amax_(z.bv_const("amax", kAsidBits)) {
  std::array<const char *, kNumAPcs> names{{
#define CTXSW_APC_STR(id) #id,
      CTXSW_APCS(CTXSW_APC_STR)
#undef CTXSW_APC_STR
  }};
  pc_sort_ = z.enumeration_sort("Pc", kNumAPcs, names.data(), pc_consts_, pc_testers_);
  if (dom_.finite) {
    ncpus_ = cpu(static_cast<uint64_t>(dom_.cpus));
    amax_ = asid((1u << dom_.asid_bits) - 1);
  }
}

Encoding Encoding::finite(int cpus, int mms, int asid_bits) const {
  Encoding e = *this;
  e.dom_ = Domain{true, cpus, mms, asid_bits};
  e.ncpus_ = cpu(static_cast<uint64_t>(cpus));
  if (asid_bits > 0) e.amax_ = asid((1u << asid_bits) - 1);
  return e;
}

expr Encoding::params(int lo, int hi) const {
  expr_vector bits(z_);
  for (int b = lo; b <= hi; b++) bits.push_back(amax_ == asid((1u << b) - 1));
  return z3::ugt(ncpus_, cpu(0)) && z3::mk_or(bits);
}

AState Encoding::fresh(const std::string &p) const {
  auto arr = [&](const char *n, z3::sort d, z3::sort r) {
    return z_.constant((p + "." + n).c_str(), z_.array_sort(d, r));
  };
  z3::sort C = cpu_sort(), M = mm_sort(), A = asid_sort(), I = z_.int_sort(), B = z_.bool_sort();
  return AState{
      z_.int_const((p + ".gen").c_str()),
      arr("asid_map", A, B),
      arr("active_gen", C, I),
      arr("active_asid", C, A),
      arr("reserved_gen", C, I),
      arr("reserved_asid", C, A),
      arr("tlb_flush_pending", C, B),
      arr("id_gen", M, I),
      arr("id_asid", M, A),
      arr("live", M, B),
      arr("freed", M, B),
      z_.bv_const((p + ".cur_idx").c_str(), kAsidBits),
      z_.bool_const((p + ".lock_held").c_str()),
      z_.bv_const((p + ".lock_owner").c_str(), kCpuBits),
      z_.bool_const((p + ".alloc_failed").c_str()),
      arr("pc", C, pc_sort_),
      arr("asid_gen", C, I),
      arr("asid_asid", C, A),
      arr("old_active_gen", C, I),
      arr("old_active_asid", C, A),
      arr("idx", C, C),
      arr("mm", C, M),
      arr("hw_asid", C, A),
  };
}

namespace {

Ctx at(const expr &g, const expr &a, const expr &i) { return Ctx{z3::select(g, i), z3::select(a, i)}; }
expr same(const Ctx &x, const Ctx &y) { return x.g == y.g && x.a == y.a; }
expr is_zero(const Ctx &x) { return x.g == 0 && x.a == x.a.ctx().bv_val(0, kAsidBits); }
// Two claims on one hardware ASID are the same context.id.
expr consistent(const Ctx &x, const Ctx &y) { return z3::implies(x.a == y.a, same(x, y)); }

bool is_locked(APc p) {
  return p == APc::new_context || p == APc::rollover || p == APc::fc_xchg || p == APc::after_flush ||
         p == APc::set_id || p == APc::unlock;
}

}  // namespace

expr Encoding::init(const AState &s) const {
  z3::context &z = z_;
  expr zero_g = z3::const_array(cpu_sort(), z.int_val(0));
  expr zero_a = z3::const_array(cpu_sort(), asid(0));
  return s.gen == 1 && s.map == z3::const_array(asid_sort(), z.bool_val(false)) && s.act_g == zero_g &&
         s.act_a == zero_a && s.res_g == zero_g && s.res_a == zero_a &&
         s.pend == z3::const_array(cpu_sort(), z.bool_val(false)) &&
         s.id_g == z3::const_array(mm_sort(), z.int_val(0)) && s.id_a == z3::const_array(mm_sort(), asid(0)) &&
         s.freed == z3::const_array(mm_sort(), z.bool_val(false)) &&
         s.cur_idx == asid(mutant_ == Mutant::alloc_from_zero ? 0 : 1) && !s.held && s.owner == cpu(0) && !s.failed &&
         s.pc == z3::const_array(cpu_sort(), pc(APc::out)) && s.asid_g == zero_g && s.asid_a == zero_a &&
         s.old_g == zero_g && s.old_a == zero_a && s.idx == z3::const_array(cpu_sort(), cpu(0)) &&
         s.sm == z3::const_array(cpu_sort(), mm(0)) && s.hw == zero_a;
  // live: any set of mms (the configuration's address spaces and init_mm).
}

namespace {

// The post-state of a step as terms over the pre-state, plus side conditions
// on the step's choice constants.
struct Post {
  AState t;
  expr guard;
  explicit Post(const AState &s) : t(s), guard(s.gen.ctx().bool_val(true)) {}
};

expr equal_states(const AState &a, const AState &b) {
  return a.gen == b.gen && a.map == b.map && a.act_g == b.act_g && a.act_a == b.act_a && a.res_g == b.res_g &&
         a.res_a == b.res_a && a.pend == b.pend && a.id_g == b.id_g && a.id_a == b.id_a && a.live == b.live &&
         a.freed == b.freed && a.cur_idx == b.cur_idx && a.held == b.held && a.owner == b.owner &&
         a.failed == b.failed && a.pc == b.pc && a.asid_g == b.asid_g && a.asid_a == b.asid_a && a.old_g == b.old_g &&
         a.old_a == b.old_a && a.idx == b.idx && a.sm == b.sm && a.hw == b.hw;
}

}  // namespace

expr Encoding::step(StepKind k, const AState &s, const AState &t, const expr &c, const expr &m,
                    const std::string &tag) const {
  z3::context &z = z_;
  const expr G = s.gen;
  const expr zero_a = asid(0);
  const expr pc_c = z3::select(s.pc, c);
  const Ctx asid_c = at(s.asid_g, s.asid_a, c);
  const Ctx old_c = at(s.old_g, s.old_a, c);
  const Ctx act_c = at(s.act_g, s.act_a, c);
  const expr mm_c = z3::select(s.sm, c);
  const Ctx zero{z.int_val(0), zero_a};
  auto name = [&](const char *n) { return (tag.empty() ? std::string(step_info(k).name) : tag) + "." + n; };

  Post p(s);
  AState &n = p.t;
  auto set_pc = [&](const expr &v) { n.pc = z3::store(s.pc, c, v); };
  auto set_asid = [&](const Ctx &v) {
    n.asid_g = z3::store(s.asid_g, c, v.g);
    n.asid_a = z3::store(s.asid_a, c, v.a);
  };
  auto set_old = [&](const Ctx &v) {
    n.old_g = z3::store(s.old_g, c, v.g);
    n.old_a = z3::store(s.old_a, c, v.a);
  };
  auto ite_ctx = [](const expr &b, const Ctx &x, const Ctx &y) {
    return Ctx{z3::ite(b, x.g, y.g), z3::ite(b, x.a, y.a)};
  };
  // find_next_zero_bit(asid_map, NUM_USER_ASIDS, from) over `map`: either
  // `found` and `hw` is the least clear bit in [from, amax], or none is clear.
  auto find_next_zero_bit = [&](const expr &map, const expr &from, expr &found, expr &hw) {
    found = z.bool_const(name("found").c_str());
    hw = z.bv_const(name("hw").c_str(), kAsidBits);
    expr bit_set_from = all_asids(
        "a", [&](const expr &a) { return z3::implies(z3::uge(a, from) && z3::ule(a, amax_), z3::select(map, a)); });
    expr least = z3::uge(hw, from) && z3::ule(hw, amax_) && !z3::select(map, hw) && all_asids("a", [&](const expr &a) {
                   return z3::implies(z3::uge(a, from) && z3::ult(a, hw), z3::select(map, a));
                 });
    return z3::implies(found, least) && z3::implies(!found, bit_set_from);
  };

  const bool alloc_step = k != StepKind::enter && k != StepKind::fork && k != StepKind::free;
  if (alloc_step) p.guard = z3::ult(c, ncpus_) && pc_c == pc(static_cast<APc>(static_cast<unsigned>(k) + 1));

  switch (k) {
    case StepKind::read_id: {
      //	asid = atomic64_read(&mm->context.id);
      set_asid(at(s.id_g, s.id_a, mm_c));
      // Before a8ffaaa060b8 the fast path did not read active_asids first.
      set_pc(pc(mutant_ == Mutant::fastpath_xchg ? APc::gen_match : APc::read_active));
      break;
    }
    case StepKind::read_active: {
      //	old_active_asid = atomic64_read(this_cpu_ptr(&active_asids));
      //	if (old_active_asid && ...
      expr z0 = is_zero(act_c);
      set_old(ite_ctx(z0, zero, act_c));
      set_asid(ite_ctx(z0, zero, asid_c));
      set_pc(z3::ite(z0, pc(APc::lock), pc(APc::gen_match)));
      break;
    }
    case StepKind::gen_match: {
      //	... asid_gen_match(asid) ...
      expr match = asid_c.g == G;
      set_old(ite_ctx(match, old_c, zero));
      set_asid(ite_ctx(match, asid_c, zero));
      set_pc(z3::ite(match, pc(APc::cmpxchg), pc(APc::lock)));
      break;
    }
    case StepKind::cmpxchg: {
      //	atomic64_cmpxchg_relaxed(this_cpu_ptr(&active_asids), old_active_asid, asid)
      // returns the value found; the fast path is taken if it was non-zero.
      Ctx found = act_c;
      expr write = z.bool_val(true), fast = !is_zero(found);
      if (mutant_ == Mutant::fastpath_plain_store) fast = !is_zero(old_c);
      if (mutant_ != Mutant::fastpath_xchg && mutant_ != Mutant::fastpath_plain_store) write = same(found, old_c);
      n.act_g = z3::store(s.act_g, c, z3::ite(write, asid_c.g, found.g));
      n.act_a = z3::store(s.act_a, c, z3::ite(write, asid_c.a, found.a));
      set_asid(zero);
      set_old(zero);
      set_pc(z3::ite(fast, pc(APc::out), pc(APc::lock)));
      // switch_mm_fastpath: cpu_switch_mm() installs this ASID.
      n.hw = z3::store(s.hw, c, z3::ite(fast, asid_c.a, z3::select(s.hw, c)));
      n.sm = z3::store(s.sm, c, z3::ite(fast, mm(0), mm_c));
      break;
    }
    case StepKind::lock: {
      //	raw_spin_lock_irqsave(&cpu_asid_lock, flags);
      p.guard = p.guard && !s.held;
      n.held = z.bool_val(true);
      n.owner = c;
      set_pc(pc(APc::new_context));
      break;
    }
    case StepKind::new_context: {
      //	asid = atomic64_read(&mm->context.id);
      //	if (!asid_gen_match(asid)) asid = new_context(mm);
      Ctx a = at(s.id_g, s.id_a, mm_c);
      expr match = a.g == G;
      Ctx newasid{G, a.a};  // asid2ctxid(ctxid2asid(asid), generation)
      expr nonzero = !is_zero(a);
      // check_update_reserved_asid(asid, newasid): does any CPU hold `a`
      // reserved? `first` is the lowest such CPU.
      expr hit = z.bool_const(name("hit").c_str());
      expr first = z.bv_const(name("first").c_str(), kCpuBits);
      auto res_is_a = [&](const expr &r) { return same(at(s.res_g, s.res_a, r), a); };
      p.guard =
          p.guard &&
          z3::implies(hit,
                      z3::ult(first, ncpus_) && res_is_a(first) &&
                          all_cpus("r", [&](const expr &r) { return z3::implies(z3::ult(r, first), !res_is_a(r)); })) &&
          z3::implies(!hit, all_cpus("r", [&](const expr &r) { return !res_is_a(r); }));
      expr c_hit = !match && nonzero && hit;
      // if (!__test_and_set_bit(ctxid2asid(asid), asid_map)) return newasid;
      expr reuse_ok = mutant_ == Mutant::reuse_without_bitmap ? z.bool_val(true) : !z3::select(s.map, a.a);
      expr c_reuse = !match && nonzero && !hit && reuse_ok;
      //	asid = find_next_zero_bit(asid_map, NUM_USER_ASIDS, cur_idx);
      expr found(z), hw(z);
      p.guard = p.guard && find_next_zero_bit(s.map, s.cur_idx, found, hw);
      expr c_fresh = !match && !c_hit && !c_reuse && found;
      expr c_roll = !match && !c_hit && !c_reuse && !found;

      Ctx fresh{G, hw};
      set_asid(ite_ctx(match, a, ite_ctx(c_fresh, fresh, ite_ctx(c_roll, zero, newasid))));
      set_pc(z3::ite(match, pc(APc::unlock), z3::ite(c_roll, pc(APc::rollover), pc(APc::set_id))));
      n.map = z3::ite(c_reuse, z3::store(s.map, a.a, z.bool_val(true)),
                      z3::ite(c_fresh, z3::store(s.map, hw, z.bool_val(true)), s.map));
      n.cur_idx = z3::ite(c_fresh, hw, s.cur_idx);
      // per_cpu(reserved_asids, cpu) = newasid for every matching CPU
      // (the mutant stops at the first).
      if (mutant_ == Mutant::reserved_check_breaks_early) {
        n.res_g = z3::ite(c_hit, z3::store(s.res_g, first, G), s.res_g);
        n.res_a = z3::ite(c_hit, z3::store(s.res_a, first, a.a), s.res_a);
      } else if (dom_.finite) {
        n.res_g = s.res_g;
        n.res_a = s.res_a;
        for (int i = 0; i < dom_.cpus; i++) {
          expr r = cpu(i), upd = c_hit && res_is_a(r);
          n.res_g = z3::store(n.res_g, r, z3::ite(upd, G, z3::select(s.res_g, r)));
          n.res_a = z3::store(n.res_a, r, z3::ite(upd, a.a, z3::select(s.res_a, r)));
        }
      } else {
        expr r = z.bv_const("r", kCpuBits);
        expr upd = c_hit && z3::ult(r, ncpus_) && res_is_a(r);
        n.res_g = z3::lambda(r, z3::ite(upd, G, z3::select(s.res_g, r)));
        n.res_a = z3::lambda(r, z3::ite(upd, a.a, z3::select(s.res_a, r)));
      }
      break;
    }
    case StepKind::rollover: {
      //	generation = atomic64_add_return_relaxed(ASID_FIRST_VERSION, &asid_generation);
      //	flush_context(): bitmap_zero(asid_map, NUM_USER_ASIDS) (set_reserved_asid_bits: no pins, no KPTI)
      n.gen = G + 1;
      n.map = z3::const_array(asid_sort(), z.bool_val(false));
      n.idx = z3::store(s.idx, c, cpu(0));
      set_pc(pc(APc::fc_xchg));
      break;
    }
    case StepKind::fc_xchg: {
      //	asid = atomic64_xchg_relaxed(&per_cpu(active_asids, i), 0);
      //	if (asid == 0) asid = per_cpu(reserved_asids, i);
      //	__set_bit(ctxid2asid(asid), asid_map);
      //	per_cpu(reserved_asids, i) = asid;
      expr i = z3::select(s.idx, c);
      Ctx a = at(s.act_g, s.act_a, i);
      Ctx r = at(s.res_g, s.res_a, i);
      Ctx v = mutant_ == Mutant::flush_forgets_reserved ? a : ite_ctx(is_zero(a), r, a);
      n.act_g = z3::store(s.act_g, i, z.int_val(0));
      n.act_a = z3::store(s.act_a, i, zero_a);
      n.res_g = z3::store(s.res_g, i, v.g);
      n.res_a = z3::store(s.res_a, i, v.a);
      n.map = z3::store(s.map, v.a, z.bool_val(true));
      expr i1 = i + cpu(1);
      expr last = i1 == ncpus_;
      n.idx = z3::store(s.idx, c, z3::ite(last, cpu(0), i1));
      set_pc(z3::ite(last, pc(APc::after_flush), pc(APc::fc_xchg)));
      break;
    }
    case StepKind::after_flush: {
      //	cpumask_setall(&tlb_flush_pending);
      //	asid = find_next_zero_bit(asid_map, NUM_USER_ASIDS, 1);
      //	__set_bit(asid, asid_map); cur_idx = asid;
      p.guard = p.guard && !s.failed;
      expr found(z), hw(z);
      expr from = asid(mutant_ == Mutant::alloc_from_zero ? 0 : 1);
      p.guard = p.guard && find_next_zero_bit(s.map, from, found, hw);
      n.pend = z3::const_array(cpu_sort(), z.bool_val(true));
      n.failed = !found;  // "We have more ASIDs than CPUs, so this will always succeed"
      n.map = z3::ite(found, z3::store(s.map, hw, z.bool_val(true)), s.map);
      n.cur_idx = z3::ite(found, hw, s.cur_idx);
      set_asid(ite_ctx(found, Ctx{G, hw}, asid_c));
      set_pc(z3::ite(found, pc(APc::set_id), pc(APc::after_flush)));
      break;
    }
    case StepKind::set_id: {
      //	atomic64_set(&mm->context.id, asid);
      n.id_g = z3::store(s.id_g, mm_c, asid_c.g);
      n.id_a = z3::store(s.id_a, mm_c, asid_c.a);
      set_pc(pc(APc::unlock));
      break;
    }
    case StepKind::unlock: {
      //	if (cpumask_test_and_clear_cpu(cpu, &tlb_flush_pending)) local_flush_tlb_all();
      //	atomic64_set(this_cpu_ptr(&active_asids), asid);
      //	raw_spin_unlock_irqrestore(&cpu_asid_lock, flags);
      n.pend = z3::store(s.pend, c, z.bool_val(false));
      n.act_g = z3::store(s.act_g, c, asid_c.g);
      n.act_a = z3::store(s.act_a, c, asid_c.a);
      n.held = z.bool_val(false);
      n.owner = cpu(0);
      set_asid(zero);
      set_pc(pc(APc::out));
      n.hw = z3::store(s.hw, c, asid_c.a);  // switch_mm_fastpath: cpu_switch_mm()
      n.sm = z3::store(s.sm, c, mm(0));
      break;
    }
    case StepKind::enter: {
      // __switch_mm(next) → check_and_switch_context(next): next is a live mm.
      p.guard = z3::ult(c, ncpus_) && pc_c == pc(APc::out) && z3::select(s.live, m) && m != mm(0);
      set_pc(pc(APc::read_id));
      n.sm = z3::store(s.sm, c, m);
      set_asid(zero);
      set_old(zero);
      break;
    }
    case StepKind::fork: {
      // dup_mm(): a fresh mm_struct, init_new_context(): context.id = 0.
      p.guard = !z3::select(s.live, m) && !z3::select(s.freed, m);
      n.live = z3::store(s.live, m, z.bool_val(true));
      n.id_g = z3::store(s.id_g, m, z.int_val(0));
      n.id_a = z3::store(s.id_a, m, zero_a);
      break;
    }
    case StepKind::free: {
      // __mmdrop(): only an mm no CPU is switching to (the switch holds a
      // reference: mm.no_use_after_free, checked by `ctxsw check`); init_mm
      // is never freed. The model clears the freed mm's context.id.
      p.guard = z3::select(s.live, m) && m != mm(0) && all_cpus("r", [&](const expr &r) {
                  return z3::implies(z3::select(s.pc, r) != pc(APc::out), z3::select(s.sm, r) != m);
                });
      n.live = z3::store(s.live, m, z.bool_val(false));
      n.freed = z3::store(s.freed, m, z.bool_val(true));
      n.id_g = z3::store(s.id_g, m, z.int_val(0));
      n.id_a = z3::store(s.id_a, m, zero_a);
      break;
    }
  }
  return p.guard && equal_states(t, n);
}

expr Encoding::any_step(const AState &s, const AState &t, const std::string &tag) const {
  expr c = z_.bv_const((tag + "cpu").c_str(), kCpuBits);
  expr m = z_.bv_const((tag + "mm").c_str(), kMmBits);
  expr_vector alts(z_);
  for (const StepInfo &i : all_steps()) alts.push_back(step(i.kind, s, t, c, m, tag + std::string(i.name)));
  return z3::mk_or(alts);
}

std::vector<Conjunct> Encoding::invariant(const AState &s) const {
  z3::context &z = z_;
  const expr G = s.gen;
  const expr zero_a = asid(0);
  auto pc_of = [&](const expr &c) { return z3::select(s.pc, c); };
  auto locked = [&](const expr &p) {
    expr_vector v(z);
    for (unsigned i = 0; i < kNumAPcs; i++)
      if (is_locked(static_cast<APc>(i))) v.push_back(p == pc(static_cast<APc>(i)));
    return z3::mk_or(v);
  };
  auto act = [&](const expr &r) { return at(s.act_g, s.act_a, r); };
  auto res = [&](const expr &r) { return at(s.res_g, s.res_a, r); };
  auto id = [&](const expr &m) { return at(s.id_g, s.id_a, m); };
  auto loc = [&](const expr &c) { return at(s.asid_g, s.asid_a, c); };
  auto old = [&](const expr &c) { return at(s.old_g, s.old_a, c); };
  const expr o = s.owner;
  const expr o_pc = pc_of(o);
  // Between the rollover's increment and the first allocation of the new
  // generation: the flush is running or has just finished.
  const expr mid = s.held && (o_pc == pc(APc::fc_xchg) || o_pc == pc(APc::after_flush));
  // The generation whose values are the live claims on ASIDs: the previous
  // one while the flush runs (nothing belongs to the new one yet).
  const expr R = z3::ite(mid, G - 1, G);
  auto flushed = [&](const expr &r) {
    return !(s.held && o_pc == pc(APc::fc_xchg) && z3::uge(r, z3::select(s.idx, o)));
  };
  auto wf = [&](const Ctx &x) { return x.g >= 0 && x.g <= G && ((x.g == 0) == (x.a == zero_a)); };
  auto fast_pc = [&](const expr &c) {
    return pc_of(c) == pc(APc::read_active) || pc_of(c) == pc(APc::gen_match) || pc_of(c) == pc(APc::cmpxchg);
  };

  std::vector<Conjunct> v;
  v.push_back({"wf.counters",
               "asid_generation starts at ASID_FIRST_VERSION and cur_idx at 1: ASID #0 is the reserved TTBR0's",
               G >= 1 && z3::uge(s.cur_idx, asid(1))});
  v.push_back({"wf.lock", "cpu_asid_lock is held exactly by the one CPU inside the locked part of the slow path",
               z3::implies(s.held, z3::ult(o, ncpus_) && locked(o_pc)) &&
                   all_cpus("c", [&](const expr &c) { return z3::implies(locked(pc_of(c)), s.held && o == c); })});
  v.push_back({"wf.flush_index", "flush_context() visits the possible CPUs [0, nr_cpu_ids)",
               z3::implies(s.held && o_pc == pc(APc::fc_xchg), z3::ult(z3::select(s.idx, o), ncpus_))});
  v.push_back({"wf.ctx",
               "every context.id value is 0 or (a generation already reached, an ASID != 0): "
               "asid_gen_match() must not accept a value from the future, and 0 means \"no ASID\"",
               all_mms("m", [&](const expr &m) { return wf(id(m)); }) &&
                   all_cpus("c", [&](const expr &c) { return wf(act(c)) && wf(res(c)) && wf(loc(c)) && wf(old(c)); })});
  v.push_back({"env.dead_mm",
               "an mm not yet forked, or freed, has context.id 0 (init_new_context(); the model clears a freed "
               "mm's), and init_mm never gets an ASID",
               is_zero(id(mm(0))) &&
                   all_mms("m", [&](const expr &m) { return z3::implies(!z3::select(s.live, m), is_zero(id(m))); })});
  v.push_back({"env.target_live",
               "the mm check_and_switch_context() switches to is referenced, so not freed, and is not init_mm "
               "(__switch_mm() installs the reserved TTBR0 for it)",
               all_cpus("c", [&](const expr &c) {
                 return z3::implies(pc_of(c) != pc(APc::out),
                                    z3::select(s.live, z3::select(s.sm, c)) && z3::select(s.sm, c) != mm(0));
               })});
  v.push_back(
      {"rollover.fresh",
       "until new_context() allocates after a rollover, no value of the new generation exists, so every "
       "asid_gen_match() fails and every CPU takes the lock",
       z3::implies(mid, all_mms("m", [&](const expr &m) { return id(m).g != G; }) && all_cpus("c", [&](const expr &c) {
                          return act(c).g != G && res(c).g != G && loc(c).g != G && old(c).g != G;
                        }))});
  v.push_back({"ids.distinct",
               "two mms never share a context.id of the current generation (the property, over all mms)",
               all_mms("m1", [&](const expr &m1) {
                 return all_mms("m2", [&](const expr &m2) {
                   return z3::implies(m1 != m2 && id(m1).g == R && id(m2).g == R, id(m1).a != id(m2).a);
                 });
               })});
  v.push_back({"map.ids", "an ASID given out in this generation has its asid_map bit (the property's conjunct)",
               z3::implies(!mid, all_mms("m", [&](const expr &m) {
                 return z3::implies(id(m).g == G, z3::select(s.map, id(m).a));
               }))});
  v.push_back({"map.active", "an ASID in active_asids keeps its bit, so find_next_zero_bit() skips it",
               z3::implies(!mid, all_cpus("c", [&](const expr &c) {
                 return z3::implies(!is_zero(act(c)), z3::select(s.map, act(c).a));
               }))});
  v.push_back({"map.reserved",
               "flush_context() sets the bit of every reserved ASID, so no other mm can get it in the new generation",
               all_cpus("c", [&](const expr &c) {
                 return z3::implies(flushed(c) && !is_zero(res(c)), z3::select(s.map, res(c).a));
               })});
  v.push_back({"active.current",
               "a non-zero active_asids is of the current generation (of the previous one on a CPU the running flush "
               "has not reached yet); flush_context() zeroed the others",
               all_cpus("c", [&](const expr &c) {
                 return z3::implies(!is_zero(act(c)), act(c).g == R) && z3::implies(mid && flushed(c), is_zero(act(c)));
               })});
  v.push_back({"claims.reserved", "two reserved_asids with one hardware ASID are the same context.id",
               all_cpus("r1", [&](const expr &r1) {
                 return all_cpus("r2", [&](const expr &r2) { return consistent(res(r1), res(r2)); });
               })});
  v.push_back(
      {"claims.reserved_active", "a reserved ASID is never live in another CPU's active_asids under another context.id",
       all_cpus("r1", [&](const expr &r1) {
         return all_cpus("r2",
                         [&](const expr &r2) { return z3::implies(!is_zero(act(r2)), consistent(res(r1), act(r2))); });
       })});
  v.push_back({"claims.active", "two CPUs with one ASID in active_asids run the same context.id",
               all_cpus("r1", [&](const expr &r1) {
                 return all_cpus("r2", [&](const expr &r2) {
                   return z3::implies(!is_zero(act(r1)) && !is_zero(act(r2)), consistent(act(r1), act(r2)));
                 });
               })});
  v.push_back({"claims.reserved_ids",
               "a reserved ASID is held by no other mm in this generation: why check_update_reserved_asid() may "
               "hand it back to its owner",
               all_cpus("r", [&](const expr &r) {
                 return all_mms("m",
                                [&](const expr &m) { return z3::implies(id(m).g == R, consistent(res(r), id(m))); });
               })});
  v.push_back({"claims.active_ids", "an active ASID is held by no other mm in this generation",
               all_cpus("r", [&](const expr &r) {
                 return all_mms("m", [&](const expr &m) {
                   return z3::implies(!is_zero(act(r)) && id(m).g == R, consistent(act(r), id(m)));
                 });
               })});
  v.push_back(
      {"pending.set_id",
       "the ASID new_context() returned is of this generation, marked in asid_map and claimed by nobody "
       "else, and the mm still has an old one",
       z3::implies(s.held && o_pc == pc(APc::set_id),
                   loc(o).g == G && loc(o).a != zero_a && z3::select(s.map, loc(o).a) &&
                       id(z3::select(s.sm, o)).g != G &&
                       all_cpus("r",
                                [&](const expr &r) {
                                  return consistent(res(r), loc(o)) &&
                                         z3::implies(!is_zero(act(r)), consistent(act(r), loc(o)));
                                }) &&
                       all_mms("m", [&](const expr &m) { return z3::implies(id(m).g == G, id(m).a != loc(o).a); }))});
  v.push_back({"pending.unlock",
               "the ASID about to be written to active_asids is the mm's context.id of this generation",
               z3::implies(s.held && o_pc == pc(APc::unlock), same(loc(o), id(z3::select(s.sm, o))) && loc(o).g == G)});
  v.push_back({"fastpath.snapshot",
               "a fast-path `asid` of the current generation is still the mm's context.id: context.id changes only "
               "when its generation is old",
               all_cpus("c", [&](const expr &c) {
                 return z3::implies(fast_pc(c) && loc(c).g == R, same(loc(c), id(z3::select(s.sm, c))));
               })});
  v.push_back({"fastpath.old_active",
               "after the read, active_asids is old_active_asid or 0: only flush_context() writes another CPU's, "
               "and only 0, which is why the cmpxchg detects a racing rollover",
               all_cpus("c", [&](const expr &c) {
                 return z3::implies(pc_of(c) == pc(APc::gen_match) || pc_of(c) == pc(APc::cmpxchg),
                                    !is_zero(old(c)) && (same(act(c), old(c)) || is_zero(act(c))));
               })});
  v.push_back({"fastpath.checked",
               "if the cmpxchg will succeed, the generation check passed in the generation active_asids belongs to",
               all_cpus("c", [&](const expr &c) {
                 return z3::implies(pc_of(c) == pc(APc::cmpxchg) && !is_zero(act(c)), loc(c).g == R);
               })});
  v.push_back({"hw.protected",
               "the ASID a CPU last installed stays in its active_asids or reserved_asids: \"we must preserve its "
               "reserved ASID, as this is the only trace we have of the process it is still running\" "
               "(flush_context())",
               all_cpus("c", [&](const expr &c) {
                 return z3::ite(is_zero(act(c)), res(c).a, act(c).a) == z3::select(s.hw, c);
               })});
  return v;
}

expr Encoding::inv(const AState &s) const {
  expr_vector v(z_);
  for (const Conjunct &c : invariant(s)) v.push_back(c.e);
  return z3::mk_and(v);
}

expr Encoding::property(const AState &s) const {
  // properties/src/properties.cpp unique_in_generation(): for live mms m >= 1
  // of the current generation: asid_map bit set, and no other live mm with
  // the same context.id.
  auto id = [&](const expr &m) { return at(s.id_g, s.id_a, m); };
  auto user = [&](const expr &m) { return m != mm(0) && z3::select(s.live, m) && id(m).g == s.gen; };
  return all_mms("m", [&](const expr &m) {
    return z3::implies(user(m), z3::select(s.map, id(m).a)) && all_mms("n", [&](const expr &nn) {
             return z3::implies(user(m) && nn != m && nn != mm(0) && z3::select(s.live, nn), !same(id(m), id(nn)));
           });
  });
}

}  // namespace ctxsw::prover
