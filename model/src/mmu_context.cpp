// SPDX-License-Identifier: GPL-2.0-only
//
// arch/arm64/include/asm/mmu_context.h (6.1): switch_mm(), __switch_mm(),
// cpu_switch_mm(), cpu_set_reserved_ttbr0(); cpu_do_switch_mm() from
// arch/arm64/mm/context.c; the TLB as a set of (ASID, mm) entries.
#include <algorithm>
#include <string>

#include "kernel.h"

namespace ctxsw::kernel {

// switch_mm(prev, next, tsk):
//	if (prev != next)
//		__switch_mm(next);
// __switch_mm(next):
//	if (next == &init_mm) {
//		cpu_set_reserved_ttbr0();
//		return;
//	}
//	check_and_switch_context(next);
// update_saved_ttbr0() is a no-op without SW PAN emulation in use.
void switch_mm_irqs_off(K &k, uint8_t prev, uint8_t next, Caller caller) {
  CpuState &c = k.cpu();
  c.caller = caller;
  c.sm_prev = prev;
  c.sm_next = next;
  if (prev == next) {
    switch_mm_done(k);
  } else if (next == kInitMm) {
    cpu_set_reserved_ttbr0(k);
    switch_mm_done(k);
  } else {
    // check_and_switch_context(next):
    //	if (system_supports_cnp())
    //		cpu_set_reserved_ttbr0();
    bool cnp_reserved = k.cfg.cnp && !k.mutant(Mutant::cnp_no_reserved_ttbr0);
    c.pc = cnp_reserved ? Pc::casc_cnp_reserved : Pc::casc_read_id;
  }
}

void switch_mm_done(K &k) {
  CpuState &c = k.cpu();
  Caller caller = c.caller;
  c.caller = Caller::none;
  c.sm_prev = c.sm_next = kNone;
  switch (caller) {
    case Caller::context_switch:
      context_switch_after_switch_mm(k);
      break;
    case Caller::kthread_use_mm:
      c.pc = Pc::kum_drop;
      break;
    default:
      throw ModelLimit("switch_mm returned to an unknown caller");
  }
}

// cpu_set_reserved_ttbr0(): write_sysreg(phys_to_ttbr(reserved_pg_dir), ttbr0_el1)
void cpu_set_reserved_ttbr0(K &k) {
  k.cpu().ttbr0 = kReservedPgd;
  k.cpu().ttbr0_asid = 0;
}

// cpu_switch_mm(pgd, mm):
//	cpu_set_reserved_ttbr0();
//	cpu_do_switch_mm(virt_to_phys(pgd), mm);
void cpu_switch_mm_reserved(K &k) {
  cpu_set_reserved_ttbr0(k);
  k.cpu().pc = Pc::csm_read_asid;
}

// cpu_do_switch_mm(): unsigned long asid = ASID(mm);  -- atomic64_read(&mm->context.id) & 0xffff
// The generation sits at bit 16 and above (ASID_FIRST_VERSION), so the low
// 16 bits are exactly the hardware ASID for asid_bits <= 16.
void cpu_do_switch_mm_read_asid(K &k) {
  CpuState &c = k.cpu();
  c.asid = CtxId{0, k.mm(c.sm_next).id.asid};
  c.pc = Pc::csm_write_ttbr;
}

//	ttbr1 &= ~TTBR_ASID_MASK; ttbr1 |= FIELD_PREP(TTBR_ASID_MASK, asid);
//	write_sysreg(ttbr1, ttbr1_el1); isb();
//	write_sysreg(ttbr0, ttbr0_el1); isb();
// TTBR0 is reserved in between, so no walk can observe the half-done state:
// one step. TTBR0's ASID field is the CONFIG_ARM64_SW_TTBR0_PAN copy.
void cpu_do_switch_mm_write_ttbr(K &k) {
  CpuState &c = k.cpu();
  c.ttbr1_asid = c.asid.asid;
  c.ttbr0 = c.sm_next;
  c.ttbr0_asid = c.asid.asid;
  c.asid = CtxId{};
  switch_mm_done(k);
}

// local_flush_tlb_all(): tlbi vmalle1 — with CnP the shared TLB.
void local_flush_tlb_all(K &k) { k.tlb() = Tlb{}; }

// A table walk (user access, or speculation while TTBR0 holds a user pgd,
// also under a lazy kernel thread) may cache a non-global entry tagged with
// TTBR1_EL1.ASID (TCR_EL1.A1 = 1) for the pgd in TTBR0_EL1, at any moment.
// The model fills eagerly: after every step each TLB holds every entry a
// walk could have cached since its last flush. No step reads the TLB and
// tlb.no_stale_alias is monotone in its contents, so this keeps every
// verdict and every counterexample is a real execution (one whose walker
// fills at each opportunity); see docs/design.md.
void tlb_canonicalise(Tlb &t) {
  auto less = [](const TlbEntry &a, const TlbEntry &b) { return a.asid != b.asid ? a.asid < b.asid : a.mm < b.mm; };
  std::sort(t.e.begin(), t.e.begin() + t.n, less);
  t.n = static_cast<uint8_t>(std::unique(t.e.begin(), t.e.begin() + t.n) - t.e.begin());
  for (int i = t.n; i < kTlbCapacity; i++) t.e[i] = TlbEntry{};
}

void tlb_fill_eagerly(const Config &cfg, State &s) {
  for (int c = 0; c < cfg.cpus; c++) {
    CpuState &cs = s.cpu[c];
    if (cs.ttbr0 == kReservedPgd) continue;
    Tlb &t = cfg.cnp ? s.cpu[0].tlb : cs.tlb;
    TlbEntry e{cs.ttbr1_asid, cs.ttbr0};
    if (t.contains(e)) continue;
    if (t.n == kTlbCapacity)
      throw ModelLimit("a TLB needs more than " + std::to_string(kTlbCapacity) +
                       " entries: use fewer mms or ASID bits");
    t.e[t.n++] = e;
    tlb_canonicalise(t);
  }
}

}  // namespace ctxsw::kernel
