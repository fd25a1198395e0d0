// SPDX-License-Identifier: GPL-2.0-only
//
// The table from model step to the real code's yield-point sequence (issue 5
// item 4). Each row is one program point of the model (pc.h) and cites the
// lines of arch/arm64/mm/context.c (6.1) the step executes. The shim yields
// before every atomic64_*() on a shared word, raw_spin_lock/unlock, the
// cpumask operations on tlb_flush_pending, each msr of a TTBR and
// local_flush_tlb_all(); plain code between two yield points runs with the
// access before it. Lock-free accesses are one step each in the model (SPEC
// §3), so most rows are one access; rows with several accesses are where the
// model merges work done under cpu_asid_lock into one step, and say so.
#include "yield_map.h"

#include <fmt/format.h>

#include <stdexcept>

#include "ctxsw/model/limits.h"
#include "internal.h"

namespace ctxsw::asmref {
namespace {

Access read_id(int mm) { return {"atomic64_read", fmt::format("id{}", mm)}; }
Access set_id(int mm) { return {"atomic64_set", fmt::format("id{}", mm)}; }
const Access kReadGen{"atomic64_read", "gen"};
const Access kLock{"spin_lock", "lock"};
const Access kUnlock{"spin_unlock", "lock"};
const Access kMsrTtbr0{"msr_ttbr0_el1", "-"};
const Access kMsrTtbr1{"msr_ttbr1_el1", "-"};

// new_context() called: the mm's context.id is not of the current generation
// (asid_gen_match() failed under the lock).
bool needs_new_context(const State &s, int mm) { return s.mm[mm].id.gen != s.generation; }

}  // namespace

std::vector<Pc> mapped_pcs() {
  return {Pc::casc_cnp_reserved, Pc::casc_read_id,     Pc::casc_read_active, Pc::casc_gen_match, Pc::casc_cmpxchg,
          Pc::casc_lock,         Pc::casc_new_context, Pc::nc_rollover,      Pc::fc_xchg,        Pc::nc_after_flush,
          Pc::casc_set_id,       Pc::casc_unlock,      Pc::csm_reserved,     Pc::csm_read_asid,  Pc::csm_write_ttbr,
          Pc::pin_lock,          Pc::pin_body,         Pc::pin_set};
}

std::vector<Access> step_accesses(const Config &cfg, const State &s, const Step &st) {
  const int c = st.cpu;
  const CpuState &cs = s.cpu[c];
  if (st.action == Action::mm_context_put) {
    // arm64_mm_context_put(), one model step. Its lock-free read of
    // context.id may see an older generation than a racing new_context()
    // stores, but only the ASID bits are used, and a pinned mm keeps its
    // ASID across rollovers (new_context(): "If it is pinned, we can keep using it"):
    //	u64 asid = atomic64_read(&mm->context.id);
    //	raw_spin_lock_irqsave(&cpu_asid_lock, flags);
    //	if (refcount_dec_and_test(&mm->context.pinned)) { __clear_bit(..); nr_pinned_asids--; }
    //	raw_spin_unlock_irqrestore(&cpu_asid_lock, flags);
    return {read_id(st.arg), kLock, kUnlock};
  }
  if (st.action != Action::step || !in_allocator(cs.pc)) return {};
  const int mm = cs.pc == Pc::pin_lock || cs.pc == Pc::pin_body || cs.pc == Pc::pin_set ? cs.op_mm : cs.sm_next;
  switch (cs.pc) {
    // check_and_switch_context(): if (system_supports_cnp()) cpu_set_reserved_ttbr0();
    case Pc::casc_cnp_reserved:
      return {kMsrTtbr0};
    // asid = atomic64_read(&mm->context.id);
    case Pc::casc_read_id:
      return {read_id(mm)};
    // old_active_asid = atomic64_read(this_cpu_ptr(&active_asids));
    case Pc::casc_read_active:
      return {{"atomic64_read", fmt::format("act{}", c)}};
    // if (old_active_asid && asid_gen_match(asid) && ...  -- atomic64_read(&asid_generation)
    case Pc::casc_gen_match:
      return {kReadGen};
    // atomic64_cmpxchg_relaxed(this_cpu_ptr(&active_asids), old_active_asid, asid)
    case Pc::casc_cmpxchg:
      return {{"atomic64_cmpxchg_relaxed", fmt::format("act{}", c)}};
    // raw_spin_lock_irqsave(&cpu_asid_lock, flags);
    case Pc::pin_lock:
    case Pc::casc_lock:
      return {kLock};
    // MERGED under cpu_asid_lock (the model's casc_new_context step):
    //	asid = atomic64_read(&mm->context.id);
    //	if (!asid_gen_match(asid)) {                       -- atomic64_read(&asid_generation)
    //		asid = new_context(mm);
    // new_context():
    //	u64 asid = atomic64_read(&mm->context.id);
    //	u64 generation = atomic64_read(&asid_generation);
    //	... check_update_reserved_asid(), __test_and_set_bit(), find_next_zero_bit(asid_map, .., cur_idx),
    //	    set_asid: __set_bit(); cur_idx = asid;   (plain code under the lock)
    // Only context.id and asid_generation are read lock-free elsewhere, and
    // both are written under this lock: nothing can change between the reads.
    case Pc::casc_new_context:
      if (needs_new_context(s, mm)) return {read_id(mm), kReadGen, read_id(mm), kReadGen};
      return {read_id(mm), kReadGen};
    // new_context(): generation = atomic64_add_return_relaxed(ASID_FIRST_VERSION, &asid_generation);
    //	flush_context(): set_reserved_asid_bits();   (plain, under the lock)
    case Pc::nc_rollover:
      return {{"atomic64_add_return_relaxed", "gen"}};
    // flush_context(), one iteration of for_each_possible_cpu(i):
    //	asid = atomic64_xchg_relaxed(&per_cpu(active_asids, i), 0);  then reserved_asids, __set_bit
    case Pc::fc_xchg:
      return {{"atomic64_xchg_relaxed", fmt::format("act{}", cs.idx)}};
    // flush_context(): cpumask_setall(&tlb_flush_pending);
    // new_context(): asid = find_next_zero_bit(asid_map, NUM_USER_ASIDS, 1); set_asid: ... (plain)
    case Pc::nc_after_flush:
      return {{"cpumask_setall", "pend"}};
    // atomic64_set(&mm->context.id, asid);
    case Pc::casc_set_id:
      return {set_id(mm)};
    // MERGED under cpu_asid_lock (the model's casc_unlock step): other CPUs
    // write this CPU's active_asids only in flush_context(), under the lock.
    //	if (cpumask_test_and_clear_cpu(cpu, &tlb_flush_pending))
    //		local_flush_tlb_all();
    //	atomic64_set(this_cpu_ptr(&active_asids), asid);
    //	raw_spin_unlock_irqrestore(&cpu_asid_lock, flags);
    case Pc::casc_unlock: {
      std::vector<Access> v{{"cpumask_test_and_clear_cpu", "pend"}};
      if ((s.tlb_flush_pending >> c) & 1) v.push_back({"tlbi_vmalle1", "-"});
      v.push_back({"atomic64_set", fmt::format("act{}", c)});
      v.push_back(kUnlock);
      return v;
    }
    // switch_mm_fastpath: cpu_switch_mm(mm->pgd, mm): cpu_set_reserved_ttbr0();
    case Pc::csm_reserved:
      return {kMsrTtbr0};
    // cpu_do_switch_mm(): unsigned long asid = ASID(mm);   -- atomic64_read(&mm->context.id)
    case Pc::csm_read_asid:
      return {read_id(mm)};
    // cpu_do_switch_mm(): write_sysreg(ttbr1, ttbr1_el1); isb(); write_sysreg(ttbr0, ttbr0_el1); isb();
    // (one model step: TTBR0 is reserved in between, no walk sees the half-done state)
    case Pc::csm_write_ttbr:
      return {kMsrTtbr1, kMsrTtbr0};
    // MERGED under cpu_asid_lock (the model's pin_body step), arm64_mm_context_get():
    //	asid = atomic64_read(&mm->context.id);
    //	if (refcount_inc_not_zero(&mm->context.pinned)) goto out_unlock;
    //	if (nr_pinned_asids >= max_pinned_asids) { asid = 0; goto out_unlock; }
    //	if (!asid_gen_match(asid)) { asid = new_context(mm);     -- reads as in casc_new_context
    // out_unlock: raw_spin_unlock_irqrestore(&cpu_asid_lock, flags);
    case Pc::pin_body: {
      if (s.mm[mm].pinned) return {read_id(mm), kUnlock};
      long max = cfg.max_pinned_asids();
      if (max >= 0 && s.nr_pinned_asids >= max) return {read_id(mm), kUnlock};
      if (needs_new_context(s, mm)) return {read_id(mm), kReadGen, read_id(mm), kReadGen};
      // asid_gen_match() holds: the model's pin_body changes no shared word and
      // pin_set does the pinning, which the real code runs straight after its
      // read of asid_generation. That read is moved into pin_set's row: the
      // generation is only written under the lock this CPU holds.
      return {read_id(mm)};
    }
    // arm64_mm_context_get(), MERGED under the lock (the model's pin_set step):
    //		atomic64_set(&mm->context.id, asid);   -- only if new_context() was called
    //	nr_pinned_asids++; __set_bit(.., pinned_asid_map); refcount_set(&mm->context.pinned, 1);
    // out_unlock: raw_spin_unlock_irqrestore(&cpu_asid_lock, flags);
    // new_context() was called iff its result (the local asid) differs from
    // context.id; if not, this row starts with asid_gen_match()'s read (see pin_body).
    case Pc::pin_set:
      if (!(s.mm[mm].id == cs.asid)) return {set_id(mm), kUnlock};
      return {kReadGen, kUnlock};
    default:
      throw std::logic_error(fmt::format("yield_map: no row for {}", pc_name(cs.pc)));
  }
}

}  // namespace ctxsw::asmref
