// SPDX-License-Identifier: GPL-2.0-only
//
// Internal to the model: the context every action runs in, and the actions
// themselves, grouped by the kernel file they model. An action is one atomic
// step of one CPU; it reads and writes the State through K and ends by
// setting the CPU's next program point.
#pragma once

#include <optional>
#include <stdexcept>

#include "ctxsw/model/config.h"
#include "ctxsw/model/state.h"

namespace ctxsw::kernel {

// A configuration exceeds a capacity of the model (not a kernel verdict).
struct ModelLimit : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct K {
  const Config &cfg;
  State &s;
  int c;  // this CPU: smp_processor_id()

  CpuState &cpu() { return s.cpu[c]; }
  TaskState &task(uint8_t t) { return s.task[t]; }
  MmState &mm(uint8_t m) { return s.mm[m]; }
  uint8_t current() { return cpu().sp_el0; }  // get_current(): sp_el0
  bool mutant(Mutant m) const { return cfg.mutant == m; }
  Tlb &tlb() { return cfg.cnp ? s.cpu[0].tlb : s.cpu[c].tlb; }  // CnP: one shared TLB
};

// Clears the locals of a path that has returned (dead values must not split states).
void return_to_running(K &k);

// ---- include/linux/sched/mm.h, kernel/fork.c ----
void mmgrab(K &k, uint8_t mm);
void mmdrop(K &k, uint8_t mm);  // frees the mm when mm_count reaches zero (__mmdrop)
void fork_process(K &k, uint8_t child, uint8_t new_mm);
void fork_thread(K &k, uint8_t child);
void mmput(K &k);         // Pc::mmput
void mmput_mmdrop(K &k);  // Pc::mmput_mmdrop

// ---- kernel/exit.c ----
void exit_mm_start(K &k);  // Action::exit_mm: mmgrab(mm)
void exit_clear_mm(K &k);  // Pc::exit_clear_mm
void do_task_dead(K &k);   // Action::do_task_dead

// ---- kernel/kthread.c ----
void kthread_use_mm_start(K &k, uint8_t mm);  // mmget_not_zero(mm) by the caller
void kthread_use_mm_grab(K &k);               // Pc::kum_grab
void kthread_use_mm_drop(K &k);               // Pc::kum_drop
void kthread_unuse_mm(K &k);                  // Action::kthread_unuse_mm

// ---- kernel/sched/core.c ----
void schedule_pick(K &k, uint8_t next);  // Action::schedule
void context_switch_mm(K &k);            // Pc::cs_mm
void context_switch_after_switch_mm(K &k);
void context_switch_from_kernel(K &k);      // Pc::cs_from_kernel
void switch_to(K &k);                       // Pc::switch_to
void finish_task_switch_finish_task(K &k);  // Pc::fts_finish_task
void finish_task_switch_mmdrop(K &k);       // Pc::fts_mmdrop
void finish_task_switch_task_dead(K &k);    // Pc::fts_task_dead

// ---- arch/arm64/include/asm/mmu_context.h ----
void switch_mm_irqs_off(K &k, uint8_t prev, uint8_t next, Caller caller);
void switch_mm_done(K &k);  // back in the caller of switch_mm()
void cpu_set_reserved_ttbr0(K &k);
void cpu_switch_mm_reserved(K &k);       // Pc::csm_reserved
void cpu_do_switch_mm_read_asid(K &k);   // Pc::csm_read_asid
void cpu_do_switch_mm_write_ttbr(K &k);  // Pc::csm_write_ttbr
void local_flush_tlb_all(K &k);
void tlb_canonicalise(Tlb &t);                       // sorted, without duplicates
void tlb_fill_eagerly(const Config &cfg, State &s);  // after every step (Config::tlb_fills)

// ---- arch/arm64/mm/context.c ----
void casc_cnp_reserved(K &k);
void casc_read_id(K &k);
void casc_read_active(K &k);
void casc_gen_match(K &k);
void casc_cmpxchg(K &k);
void casc_lock(K &k);
void casc_new_context(K &k);
void new_context_rollover(K &k);     // Pc::nc_rollover
void flush_context_xchg(K &k);       // Pc::fc_xchg
void new_context_after_flush(K &k);  // Pc::nc_after_flush
void casc_set_id(K &k);
void casc_unlock(K &k);
void mm_context_get_start(K &k);      // Action::mm_context_get
void mm_context_get_lock(K &k);       // Pc::pin_lock
void mm_context_get_body(K &k);       // Pc::pin_body
void mm_context_get_set(K &k);        // Pc::pin_set
void mm_context_get_fail_drop(K &k);  // Pc::pin_fail_drop
void mm_context_put(K &k);            // Action::mm_context_put
void mm_context_put_mmdrop(K &k);     // Pc::unpin_mmdrop
bool asid_lock_free(const State &s);

// Generation renumbering (docs/generations.md).
void renumber_generations(const Config &cfg, State &s);

}  // namespace ctxsw::kernel
