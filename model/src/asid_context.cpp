// SPDX-License-Identifier: GPL-2.0-only
//
// arch/arm64/mm/context.c (6.1): the ASID generation allocator.
// Lock-free accesses that race other CPUs are steps of their own (SPEC §3);
// work under cpu_asid_lock on data only touched under it is grouped.
#include "kernel.h"

namespace ctxsw::kernel {
namespace {

int num_user_asids(const K &k) { return k.cfg.num_user_asids(); }  // NUM_USER_ASIDS

// asid_gen_match(asid): !(((asid) ^ atomic64_read(&asid_generation)) >> asid_bits)
bool asid_gen_match(K &k, CtxId asid) { return asid.gen == k.s.generation; }

// find_next_zero_bit(asid_map, NUM_USER_ASIDS, from)
int find_next_zero_bit(K &k, int from) {
  for (int i = from; i < num_user_asids(k); i++)
    if (!k.s.asid_map.test(i)) return i;
  return num_user_asids(k);
}

// check_update_reserved_asid(asid, newasid): scan ALL CPUs, no early exit.
bool check_update_reserved_asid(K &k, CtxId asid, CtxId newasid) {
  bool hit = false;
  for (int cpu = 0; cpu < k.cfg.cpus; cpu++) {
    if (k.s.cpu[cpu].reserved == asid) {
      hit = true;
      k.s.cpu[cpu].reserved = newasid;
      if (k.mutant(Mutant::reserved_check_breaks_early)) break;  // mutant
    }
  }
  return hit;
}

// The step after new_context() returned an ASID, in its caller.
void new_context_returned(K &k, CtxId asid) {
  CpuState &c = k.cpu();
  c.asid = asid;
  c.pc = c.caller == Caller::mm_context_get ? Pc::pin_set : Pc::casc_set_id;
}

// new_context(mm) up to allocation, or up to the rollover (then the CPU
// continues at Pc::nc_rollover). Runs under cpu_asid_lock.
void new_context(K &k, uint8_t mm) {
  CtxId asid = k.mm(mm).id;
  uint8_t generation = k.s.generation;

  if (!asid.is_zero()) {
    CtxId newasid{generation, asid.asid};  // asid2ctxid(ctxid2asid(asid), generation)
    // If our current ASID was active during a rollover, we can continue to use it.
    if (check_update_reserved_asid(k, asid, newasid)) return new_context_returned(k, newasid);
    // If it is pinned, we can keep using it.
    if (k.mm(mm).pinned) return new_context_returned(k, newasid);
    // We had a valid ASID in a previous life, so try to re-use it if possible.
    if (k.mutant(Mutant::reuse_without_bitmap)) return new_context_returned(k, newasid);
    if (!k.s.asid_map.test(asid.asid)) {  // !__test_and_set_bit(ctxid2asid(asid), asid_map)
      k.s.asid_map.set(asid.asid);
      return new_context_returned(k, newasid);
    }
  }

  int hw = find_next_zero_bit(k, k.s.cur_idx);
  if (hw != num_user_asids(k)) {  // goto set_asid
    k.s.asid_map.set(hw);
    k.s.cur_idx = static_cast<uint16_t>(hw);
    return new_context_returned(k, CtxId{generation, static_cast<uint16_t>(hw)});
  }
  // We're out of ASIDs, so increment the global generation count
  k.cpu().pc = Pc::nc_rollover;
}

}  // namespace

bool asid_lock_free(const State &s) { return s.asid_lock == kNone; }

// check_and_switch_context(mm):
//	if (system_supports_cnp())
//		cpu_set_reserved_ttbr0();
void casc_cnp_reserved(K &k) {
  cpu_set_reserved_ttbr0(k);
  k.cpu().pc = Pc::casc_read_id;
}

//	asid = atomic64_read(&mm->context.id);
void casc_read_id(K &k) {
  CpuState &c = k.cpu();
  c.asid = k.mm(c.sm_next).id;
  // Before a8ffaaa060b8 the fast path did not read active_asids first.
  c.pc = k.mutant(Mutant::fastpath_xchg) ? Pc::casc_gen_match : Pc::casc_read_active;
}

//	old_active_asid = atomic64_read(this_cpu_ptr(&active_asids));
//	if (old_active_asid && asid_gen_match(asid) && ...
void casc_read_active(K &k) {
  CpuState &c = k.cpu();
  c.old_active = c.active;
  if (c.old_active.is_zero()) {
    c.asid = c.old_active = CtxId{};
    c.pc = Pc::casc_lock;
  } else {
    c.pc = Pc::casc_gen_match;
  }
}

//	... asid_gen_match(asid) ...   -- atomic64_read(&asid_generation)
void casc_gen_match(K &k) {
  CpuState &c = k.cpu();
  if (asid_gen_match(k, c.asid)) {
    c.pc = Pc::casc_cmpxchg;
  } else {
    c.asid = c.old_active = CtxId{};
    c.pc = Pc::casc_lock;
  }
}

//	    atomic64_cmpxchg_relaxed(this_cpu_ptr(&active_asids),
//				     old_active_asid, asid))
//		goto switch_mm_fastpath;
// cmpxchg returns the value it found; the fast path is taken if that was
// non-zero (other CPUs only ever write 0 here, from flush_context()).
void casc_cmpxchg(K &k) {
  CpuState &c = k.cpu();
  CtxId found = c.active;
  bool fast;
  switch (k.cfg.mutant) {
    case Mutant::fastpath_xchg:  // atomic64_xchg_relaxed(&active_asids, asid)
      c.active = c.asid;
      fast = !found.is_zero();
      break;
    case Mutant::fastpath_plain_store:  // active_asids = asid (load was old_active_asid)
      c.active = c.asid;
      fast = !c.old_active.is_zero();
      break;
    default:
      if (found == c.old_active) c.active = c.asid;
      fast = !found.is_zero();
  }
  c.asid = c.old_active = CtxId{};
  c.pc = fast ? Pc::csm_reserved : Pc::casc_lock;  // switch_mm_fastpath: cpu_switch_mm()
}

//	raw_spin_lock_irqsave(&cpu_asid_lock, flags);   (enabled only when free)
void casc_lock(K &k) {
  k.s.asid_lock = static_cast<uint8_t>(k.c);
  k.cpu().pc = Pc::casc_new_context;
}

//	/* Check that our ASID belongs to the current generation. */
//	asid = atomic64_read(&mm->context.id);
//	if (!asid_gen_match(asid)) {
//		asid = new_context(mm);
//		atomic64_set(&mm->context.id, asid);   -- Pc::casc_set_id
//	}
void casc_new_context(K &k) {
  CpuState &c = k.cpu();
  CtxId asid = k.mm(c.sm_next).id;
  if (asid_gen_match(k, asid)) {
    c.asid = asid;
    c.pc = Pc::casc_unlock;
  } else {
    new_context(k, c.sm_next);
  }
}

// new_context():
//	generation = atomic64_add_return_relaxed(ASID_FIRST_VERSION, &asid_generation);
//	flush_context();  → set_reserved_asid_bits();
// asid_generation is read lock-free by the fast path: a step of its own.
// set_reserved_asid_bits() copies pinned_asid_map, which holds the KPTI
// odd bits when KPTI is on (asids_update_limit()).
void new_context_rollover(K &k) {
  k.s.generation++;
  k.s.asid_map = k.s.pinned_asid_map;
  k.cpu().idx = 0;
  k.cpu().pc = Pc::fc_xchg;
}

// flush_context(), one iteration of for_each_possible_cpu(i):
//	asid = atomic64_xchg_relaxed(&per_cpu(active_asids, i), 0);
//	if (asid == 0)
//		asid = per_cpu(reserved_asids, i);
//	__set_bit(ctxid2asid(asid), asid_map);
//	per_cpu(reserved_asids, i) = asid;
void flush_context_xchg(K &k) {
  CpuState &c = k.cpu();
  CpuState &other = k.s.cpu[c.idx];
  CtxId asid = other.active;
  other.active = CtxId{};
  if (asid.is_zero() && !k.mutant(Mutant::flush_forgets_reserved)) asid = other.reserved;
  k.s.asid_map.set(asid.asid);
  other.reserved = asid;
  c.idx++;
  if (c.idx == k.cfg.cpus) {
    c.idx = 0;
    c.pc = Pc::nc_after_flush;
  }
}

// flush_context():  cpumask_setall(&tlb_flush_pending);
// new_context():
//	/* We have more ASIDs than CPUs, so this will always succeed */
//	asid = find_next_zero_bit(asid_map, NUM_USER_ASIDS, 1);
// set_asid:
//	__set_bit(asid, asid_map);
//	cur_idx = asid;
void new_context_after_flush(K &k) {
  k.s.tlb_flush_pending = static_cast<uint8_t>((1u << k.cfg.cpus) - 1);
  int hw = find_next_zero_bit(k, k.mutant(Mutant::alloc_from_zero) ? 0 : 1);
  if (hw == num_user_asids(k)) {
    // The comment's promise broken: only reachable in a configuration that
    // asids_update_limit() warns about. The CPU cannot go on.
    k.s.alloc_failed = 1;
    return;
  }
  k.s.asid_map.set(hw);
  k.s.cur_idx = static_cast<uint16_t>(hw);
  new_context_returned(k, CtxId{k.s.generation, static_cast<uint16_t>(hw)});
}

//		atomic64_set(&mm->context.id, asid);
void casc_set_id(K &k) {
  CpuState &c = k.cpu();
  k.mm(c.sm_next).id = c.asid;
  c.pc = Pc::casc_unlock;
}

//	cpu = smp_processor_id();
//	if (cpumask_test_and_clear_cpu(cpu, &tlb_flush_pending))
//		local_flush_tlb_all();
//	atomic64_set(this_cpu_ptr(&active_asids), asid);
//	raw_spin_unlock_irqrestore(&cpu_asid_lock, flags);
// Other CPUs write this CPU's active_asids only under the lock we hold.
void casc_unlock(K &k) {
  CpuState &c = k.cpu();
  uint8_t bit = static_cast<uint8_t>(1u << k.c);
  if (k.s.tlb_flush_pending & bit) {
    k.s.tlb_flush_pending &= static_cast<uint8_t>(~bit);
    if (!k.mutant(Mutant::skip_pending_flush)) local_flush_tlb_all(k);
  }
  c.active = c.asid;
  c.asid = CtxId{};
  k.s.asid_lock = kNone;
  c.pc = Pc::csm_reserved;  // switch_mm_fastpath: cpu_switch_mm(mm->pgd, mm)
}

// ---- arm64_mm_context_get()/put(), called by the SVA code with the mm
// grabbed (iommu_sva_bind_device → mmgrab). Enabled by Config::pinned.

void mm_context_get_start(K &k) {
  CpuState &c = k.cpu();
  uint8_t mm = k.task(k.current()).mm;
  mmgrab(k, mm);
  c.ref_mm = mm;
  c.op_mm = mm;
  c.pc = Pc::pin_lock;
}

void mm_context_get_lock(K &k) {
  k.s.asid_lock = static_cast<uint8_t>(k.c);
  k.cpu().pc = Pc::pin_body;
}

//	asid = atomic64_read(&mm->context.id);
//	if (refcount_inc_not_zero(&mm->context.pinned))
//		goto out_unlock;
//	if (nr_pinned_asids >= max_pinned_asids) {
//		asid = 0;
//		goto out_unlock;
//	}
//	if (!asid_gen_match(asid)) {
//		asid = new_context(mm);
//		atomic64_set(&mm->context.id, asid);
//	}
void mm_context_get_body(K &k) {
  CpuState &c = k.cpu();
  MmState &m = k.mm(c.op_mm);
  CtxId asid = m.id;
  c.caller = Caller::mm_context_get;
  if (m.pinned) {
    m.pinned++;
    c.ref_mm = kNone;  // the reference now belongs to the pin
    k.s.asid_lock = kNone;
    return_to_running(k);
  } else if (long max = k.cfg.max_pinned_asids();
             max >= 0 && k.s.nr_pinned_asids >= max) {  // unsigned in the kernel: < 0 wraps
    k.s.asid_lock = kNone;
    c.pc = Pc::pin_fail_drop;
  } else if (!asid_gen_match(k, asid)) {
    new_context(k, c.op_mm);
  } else {
    new_context_returned(k, asid);
  }
}

//	nr_pinned_asids++;
//	__set_bit(ctxid2asid(asid), pinned_asid_map);
//	refcount_set(&mm->context.pinned, 1);
// out_unlock:
//	raw_spin_unlock_irqrestore(&cpu_asid_lock, flags);
void mm_context_get_set(K &k) {
  CpuState &c = k.cpu();
  MmState &m = k.mm(c.op_mm);
  m.id = c.asid;  // atomic64_set() (a no-op store when the generation matched)
  k.s.nr_pinned_asids++;
  k.s.pinned_asid_map.set(c.asid.asid);
  m.pinned = 1;
  c.ref_mm = kNone;  // the reference now belongs to the pin
  k.s.asid_lock = kNone;
  return_to_running(k);
}

void mm_context_get_fail_drop(K &k) {
  mmdrop(k, k.cpu().ref_mm);
  return_to_running(k);
}

// arm64_mm_context_put(mm), whole under the lock:
//	if (refcount_dec_and_test(&mm->context.pinned)) {
//		__clear_bit(ctxid2asid(asid), pinned_asid_map);
//		nr_pinned_asids--;
//	}
void mm_context_put(K &k) {
  CpuState &c = k.cpu();
  uint8_t mm = k.task(k.current()).mm;
  MmState &m = k.mm(mm);
  if (--m.pinned == 0) {
    k.s.pinned_asid_map.reset(m.id.asid);
    k.s.nr_pinned_asids--;
  }
  c.ref_mm = mm;  // the pin's reference, dropped next
  c.op_mm = mm;
  c.pc = Pc::unpin_mmdrop;
}

void mm_context_put_mmdrop(K &k) {
  mmdrop(k, k.cpu().ref_mm);
  return_to_running(k);
}

}  // namespace ctxsw::kernel
