// SPDX-License-Identifier: GPL-2.0-only
#include "ctxsw/properties/properties.h"

#include <array>

#include "ctxsw/model/describe.h"
#include "ownership.h"

namespace ctxsw {
namespace {

using std::string;

string task(const Config &cfg, int t) { return cfg.task_name(t); }
string mmn(const Config &cfg, int m) { return cfg.mm_name(m); }
string cpu(int c) { return "cpu" + std::to_string(c); }

bool in_switch_after_switch_to(Pc pc) {
  return pc == Pc::fts_finish_task || pc == Pc::fts_mmdrop || pc == Pc::fts_task_dead;
}

// CPU c is back in the task (not inside a modelled path) and the task has a
// user address space: it may return to user space now.
bool runs_user(const Config &, const State &s, int c) {
  const CpuState &cs = s.cpu[c];
  return cs.pc == Pc::running && s.task[cs.curr].mm != kNone;
}

const Tlb &tlb_of(const Config &cfg, const State &s, int c) { return cfg.cnp ? s.cpu[0].tlb : s.cpu[c].tlb; }

// ---- mm.no_use_after_free
string no_use_after_free(const Config &cfg, const State &s) {
  for (int m = 1; m < cfg.nr_mms(); m++) {
    if (!s.mm[m].freed) continue;
    for (int t = 0; t < cfg.nr_tasks(); t++) {
      if (s.task[t].mm == m) return "task " + task(cfg, t) + "->mm points at freed mm " + mmn(cfg, m);
      if (s.task[t].active_mm == m) return "task " + task(cfg, t) + "->active_mm points at freed mm " + mmn(cfg, m);
    }
    for (int c = 0; c < cfg.cpus; c++) {
      const CpuState &cs = s.cpu[c];
      if (cs.prev_mm == m) return cpu(c) + " rq->prev_mm points at freed mm " + mmn(cfg, m);
      if (cs.ttbr0 == m) return cpu(c) + " TTBR0_EL1 holds the pgd of freed mm " + mmn(cfg, m);
      if (cs.ref_mm == m || cs.op_mm == m || cs.sm_next == m)
        return cpu(c) + " is still using freed mm " + mmn(cfg, m) + " in " + string(pc_function(cs.pc));
    }
  }
  return {};
}

// ---- mm.count_exact
string count_exact(const Config &cfg, const State &s) {
  const std::array<int, kMaxMms> want = expected_mm_counts(cfg, s);
  for (int m = 0; m < cfg.nr_mms(); m++) {
    const MmState &ms = s.mm[m];
    if (ms.underflow) return "mm " + mmn(cfg, m) + ": a decrement found mm_count or mm_users already 0";
    if (m == kInitMm && ms.freed) return "init_mm was freed";
    if (!ms.live) continue;
    if (ms.count != want[m])
      return "mm " + mmn(cfg, m) + ": mm_count = " + std::to_string(ms.count) + " but " + std::to_string(want[m]) +
             " references own it";
  }
  return {};
}

// ---- mm.no_leak (quiescent form): an mm that nothing refers to any more
// (no user, no task's mm/active_mm, no rq->prev_mm, no TTBR0, no CPU local,
// no pin) must have been freed.
string no_leak(const Config &cfg, const State &s) {
  for (int m = 1; m < cfg.nr_mms(); m++) {
    const MmState &ms = s.mm[m];
    if (!ms.live || ms.users || ms.pinned) continue;
    bool referenced = false;
    for (int t = 0; t < cfg.nr_tasks(); t++) referenced |= s.task[t].mm == m || s.task[t].active_mm == m;
    for (int c = 0; c < cfg.cpus; c++) {
      const CpuState &cs = s.cpu[c];
      referenced |=
          cs.prev_mm == m || cs.ttbr0 == m || cs.ref_mm == m || cs.op_mm == m || cs.sm_prev == m || cs.sm_next == m;
    }
    if (!referenced)
      return "mm " + mmn(cfg, m) +
             " is referenced by nothing but is not freed (mm_count = " + std::to_string(ms.count) + ")";
  }
  return {};
}

// ---- switch.last_is_previous
string last_is_previous(const Config &cfg, const State &s) {
  for (int c = 0; c < cfg.cpus; c++) {
    const CpuState &cs = s.cpu[c];
    if (!in_switch_after_switch_to(cs.pc)) continue;
    uint8_t last = s.task[cs.sp_el0].last;
    if (last != cs.ghost_prev_curr)
      return cpu(c) + ": " + task(cfg, cs.sp_el0) + " resumed with last = " + task(cfg, last) + " but " +
             task(cfg, cs.ghost_prev_curr) + " ran before it";
    if (cs.fts_prev != cs.ghost_prev_curr)
      return cpu(c) + ": finish_task_switch() acts on " + task(cfg, cs.fts_prev) + " but " +
             task(cfg, cs.ghost_prev_curr) + " ran before " + task(cfg, cs.sp_el0);
  }
  return {};
}

// ---- sched.single_cpu
string single_cpu(const Config &cfg, const State &s) {
  for (int c = 0; c < cfg.cpus; c++) {
    const CpuState &cs = s.cpu[c];
    for (int d = c + 1; d < cfg.cpus; d++) {
      if (s.cpu[d].curr == cs.curr) return task(cfg, cs.curr) + " is rq->curr of " + cpu(c) + " and " + cpu(d);
      if (s.cpu[d].sp_el0 == cs.sp_el0)
        return cpu(c) + " and " + cpu(d) + " both run on the stack of " + task(cfg, cs.sp_el0);
    }
    if (!s.task[cs.curr].on_cpu) return task(cfg, cs.curr) + " is rq->curr of " + cpu(c) + " with on_cpu == 0";
    if (!s.task[cs.sp_el0].on_cpu)
      return cpu(c) + " runs on the stack of " + task(cfg, cs.sp_el0) + " whose on_cpu == 0";
  }
  return {};
}

// ---- switch.context_preserved
string context_preserved(const Config &cfg, const State &s) {
  for (int c = 0; c < cfg.cpus; c++) {
    const CpuState &cs = s.cpu[c];
    if (cs.regs != cs.sp_el0)
      return cpu(c) + " runs on " + task(cfg, cs.sp_el0) + "'s stack with " + task(cfg, cs.regs) + "'s registers";
    if ((cs.pc == Pc::running || in_switch_after_switch_to(cs.pc)) && cs.sp_el0 != cs.curr)
      return cpu(c) + ": sp_el0 = " + task(cfg, cs.sp_el0) + " but rq->curr = " + task(cfg, cs.curr);
  }
  for (int t = 0; t < cfg.nr_tasks(); t++) {
    if (s.task[t].run == TaskRun::unborn) continue;
    bool on_stack = false;
    for (int c = 0; c < cfg.cpus; c++) on_stack |= s.cpu[c].sp_el0 == t;
    if (!on_stack && s.task[t].saved_ctx != t)
      return task(cfg, t) + "'s thread.cpu_context holds " + task(cfg, s.task[t].saved_ctx) + "'s registers";
  }
  return {};
}

// ---- asid.unique_in_generation
string unique_in_generation(const Config &cfg, const State &s) {
  for (int m = 1; m < cfg.nr_mms(); m++) {
    const MmState &a = s.mm[m];
    if (!a.live || a.id.gen != s.generation) continue;
    if (!s.asid_map.test(a.id.asid))
      return "mm " + mmn(cfg, m) + " has ASID " + format_ctxid(a.id) + " of the current generation but asid_map bit " +
             std::to_string(a.id.asid) + " is clear";
    for (int n = m + 1; n < cfg.nr_mms(); n++) {
      const MmState &b = s.mm[n];
      if (b.live && b.id == a.id)
        return "mms " + mmn(cfg, m) + " and " + mmn(cfg, n) + " both have ASID " + format_ctxid(a.id);
    }
  }
  return {};
}

// ---- asid.reserved_respected
string reserved_respected(const Config &cfg, const State &s) {
  for (int c = 0; c < cfg.cpus; c++) {
    const CpuState &cs = s.cpu[c];
    if (cs.pc != Pc::running || cs.ttbr0 == kReservedPgd) continue;
    for (int m = 1; m < cfg.nr_mms(); m++) {
      const MmState &o = s.mm[m];
      if (m == cs.ttbr0 || !o.live || o.id.gen != s.generation || o.id.asid != cs.ttbr1_asid) continue;
      return cpu(c) + " still runs " + mmn(cfg, cs.ttbr0) + " with ASID " + std::to_string(cs.ttbr1_asid) + " but mm " +
             mmn(cfg, m) + " was given " + format_ctxid(o.id);
    }
  }
  return {};
}

// ---- tlb.no_stale_alias
string no_stale_alias(const Config &cfg, const State &s) {
  for (int c = 0; c < cfg.cpus; c++) {
    if (!runs_user(cfg, s, c)) continue;
    const CpuState &cs = s.cpu[c];
    const Tlb &t = tlb_of(cfg, s, c);
    for (int i = 0; i < t.n; i++)
      if (t.e[i].asid == cs.ttbr1_asid && t.e[i].mm != cs.ttbr0)
        return cpu(c) + " runs " + task(cfg, cs.curr) + " (mm " + mmn(cfg, cs.ttbr0) + ", ASID " +
               std::to_string(cs.ttbr1_asid) + ") with a TLB entry of " +
               (t.e[i].mm == kFreedMm ? string("a freed mm") : "mm " + mmn(cfg, t.e[i].mm)) + " under the same ASID";
  }
  return {};
}

// ---- ttbr.matches_current
string matches_current(const Config &cfg, const State &s) {
  for (int c = 0; c < cfg.cpus; c++) {
    const CpuState &cs = s.cpu[c];
    if (cs.pc == Pc::running && cs.ttbr0 != kReservedPgd && cs.ttbr1_asid == 0)
      return cpu(c) + " has mm " + mmn(cfg, cs.ttbr0) + " in TTBR0 with the reserved ASID 0";
    if (!runs_user(cfg, s, c)) continue;
    uint8_t m = s.task[cs.curr].mm;
    uint16_t want = s.mm[m].id.asid;
    if (cs.ttbr0 != m)
      return cpu(c) + " returns to " + task(cfg, cs.curr) + " (mm " + mmn(cfg, m) +
             ") with TTBR0 = " + (cs.ttbr0 == kReservedPgd ? string("reserved_pg_dir") : mmn(cfg, cs.ttbr0));
    if (cs.ttbr1_asid != want || cs.ttbr0_asid != want)
      return cpu(c) + " returns to " + task(cfg, cs.curr) + " with TTBR1.ASID " + std::to_string(cs.ttbr1_asid) +
             " / TTBR0.ASID " + std::to_string(cs.ttbr0_asid) + " but context.id of " + mmn(cfg, m) + " is " +
             format_ctxid(s.mm[m].id);
  }
  return {};
}

// ---- asid.rollover_finds_free
string rollover_finds_free(const Config &, const State &s) {
  return s.alloc_failed ? "new_context() found no free ASID after a rollover" : "";
}

string no_check(const Config &, const State &) { return {}; }

constexpr std::array<Property, 12> kProperties{{
    {"mm.no_use_after_free",
     "no freed mm is referenced by a task's mm/active_mm, rq->prev_mm, TTBR0 or a CPU inside a path",
     "include/linux/sched/mm.h mmdrop(): __mmdrop() only when the last mm_count reference goes",
     PropertyKind::invariant, no_use_after_free},
    {"mm.count_exact",
     "mm_count equals the references owning it (users>0, lazy borrowers, rq->prev_mm, locals, pins); no underflow",
     "kernel/sched/core.c context_switch(): \"user -> kernel lazy + mmgrab() active ... kernel -> user switch + "
     "mmdrop() active\"",
     PropertyKind::invariant, count_exact},
    {"mm.no_leak", "an mm nothing refers to any more (tasks exited, every CPU switched away) has been freed",
     "kernel/sched/core.c finish_task_switch(): \"if (mm) { ... mmdrop_sched(mm); }\" via rq->prev_mm",
     PropertyKind::invariant, no_leak},
    {"switch.last_is_previous",
     "the resumed task receives last == the previous rq->curr of this CPU and finish_task_switch() acts on it",
     "kernel/sched/core.c context_switch(): \"switch_to(prev, next, prev); ... return finish_task_switch(prev)\"",
     PropertyKind::invariant, last_is_previous},
    {"switch.context_preserved",
     "a CPU runs a task's stack with that task's callee-saved registers; sp_el0 == rq->curr after the switch",
     "arch/arm64/kernel/entry.S cpu_switch_to(): stp/ldp x19-x29, sp, lr; msr sp_el0, x1", PropertyKind::invariant,
     context_preserved},
    {"sched.single_cpu",
     "a task is rq->curr of at most one CPU, one stack is used by at most one CPU, and both keep on_cpu set",
     "kernel/sched/core.c finish_task(): \"After p->on_cpu is cleared, the task can be moved to a different CPU\"",
     PropertyKind::invariant, single_cpu},
    {"sched.no_deadlock", "some step is always enabled unless every CPU has left the modelled paths",
     "arch/arm64/mm/context.c: cpu_asid_lock is only held across bounded work", PropertyKind::deadlock, no_check},
    {"asid.unique_in_generation",
     "distinct live mms of the current generation have distinct hardware ASIDs, each set in asid_map",
     "arch/arm64/mm/context.c new_context(): __test_and_set_bit(), find_next_zero_bit(), flush_context()",
     PropertyKind::invariant, unique_in_generation},
    {"asid.reserved_respected",
     "an ASID still installed on a CPU is never handed to another mm in the current generation",
     "arch/arm64/mm/context.c flush_context(): \"we must preserve its reserved ASID, as this is the only trace we "
     "have of the process it is still running\"",
     PropertyKind::invariant, reserved_respected},
    {"tlb.no_stale_alias", "a CPU running user code of mm m with ASID a holds no TLB entry (a, m') with m' != m",
     "arch/arm64/mm/context.c check_and_switch_context(): tlb_flush_pending / local_flush_tlb_all()",
     PropertyKind::invariant, no_stale_alias},
    {"ttbr.matches_current",
     "a CPU returning to user for task t has TTBR0 = t->mm's pgd, TTBR0/TTBR1 ASID = ASID(t->mm), ASID 0 only for "
     "init_mm",
     "arch/arm64/mm/context.c cpu_do_switch_mm(); new_context(): \"We always count from ASID #2 (index 1), as we "
     "use ASID #0 when setting a reserved TTBR0 for the init_mm\"",
     PropertyKind::invariant, matches_current},
    {"asid.rollover_finds_free", "after a rollover new_context() always finds a free ASID",
     "arch/arm64/mm/context.c new_context(): \"We have more ASIDs than CPUs, so this will always succeed\"; "
     "asids_update_limit()",
     PropertyKind::invariant, rollover_finds_free},
}};

}  // namespace

std::span<const Property> all_properties() { return kProperties; }

const Property *property_by_name(std::string_view name) {
  for (const Property &p : kProperties)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace ctxsw
