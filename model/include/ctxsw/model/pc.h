// SPDX-License-Identifier: GPL-2.0-only
//
// The program point of each CPU: the atomic step it takes next (SPEC §3).
// A CPU at Pc::running is not inside any modelled kernel path; everything
// else names the kernel statement that the next step executes.
#pragma once

#include <cstdint>
#include <string_view>

namespace ctxsw {

#define CTXSW_PCS(X)                                                                             \
  X(running, "-")                                                                                \
  /* kernel/sched/core.c */                                                                      \
  X(cs_mm, "context_switch")               /* the four-way mm branch */                          \
  X(cs_from_kernel, "context_switch")      /* rq->prev_mm = prev->active_mm */                   \
  X(switch_to, "switch_to")                /* cpu_switch_to() */                                 \
  X(fts_finish_task, "finish_task_switch") /* prev_state, finish_task(prev) */                   \
  X(fts_mmdrop, "finish_task_switch")      /* mmdrop_sched(mm) */                                \
  X(fts_task_dead, "finish_task_switch")   /* put_task_struct_rcu_user(prev) */                  \
  /* arch/arm64/mm/context.c: check_and_switch_context() */                                      \
  X(casc_cnp_reserved, "check_and_switch_context") /* cpu_set_reserved_ttbr0() (CnP) */          \
  X(casc_read_id, "check_and_switch_context")      /* atomic64_read(&mm->context.id) */          \
  X(casc_read_active, "check_and_switch_context")  /* atomic64_read(active_asids) */             \
  X(casc_gen_match, "check_and_switch_context")    /* asid_gen_match(asid) */                    \
  X(casc_cmpxchg, "check_and_switch_context")      /* atomic64_cmpxchg_relaxed() */              \
  X(casc_lock, "check_and_switch_context")         /* raw_spin_lock_irqsave() */                 \
  X(casc_new_context, "check_and_switch_context")  /* asid_gen_match(); new_context() */         \
  X(nc_rollover, "new_context")                    /* atomic64_add_return_relaxed(gen) */        \
  X(fc_xchg, "flush_context")                      /* atomic64_xchg_relaxed(active_asids[i]) */  \
  X(nc_after_flush, "new_context")                 /* find_next_zero_bit(asid_map, .., 1) */     \
  X(casc_set_id, "check_and_switch_context")       /* atomic64_set(&mm->context.id, asid) */     \
  X(casc_unlock, "check_and_switch_context")       /* tlb_flush_pending, active_asids, unlock */ \
  /* arch/arm64/include/asm/mmu_context.h, arch/arm64/mm/context.c */                            \
  X(csm_reserved, "cpu_switch_mm")      /* cpu_set_reserved_ttbr0() */                           \
  X(csm_read_asid, "cpu_do_switch_mm")  /* ASID(mm) */                                           \
  X(csm_write_ttbr, "cpu_do_switch_mm") /* write_sysreg(ttbr1); write_sysreg(ttbr0) */           \
  /* kernel/exit.c, kernel/fork.c */                                                             \
  X(exit_clear_mm, "exit_mm") /* current->mm = NULL */                                           \
  X(mmput, "mmput")           /* atomic_dec_and_test(&mm->mm_users) */                           \
  X(mmput_mmdrop, "__mmput")  /* mmdrop(mm) */                                                   \
  /* kernel/kthread.c */                                                                         \
  X(kum_grab, "kthread_use_mm") /* mmgrab(mm); tsk->active_mm = tsk->mm = mm */                  \
  X(kum_drop, "kthread_use_mm") /* mmdrop(active_mm) */                                          \
  /* arm64_mm_context_get/put */                                                                 \
  X(pin_lock, "arm64_mm_context_get")                                                            \
  X(pin_body, "arm64_mm_context_get")                                                            \
  X(pin_set, "arm64_mm_context_get")                                                             \
  X(pin_fail_drop, "iommu_sva_bind_device")  /* mmdrop() after a failed pin */                   \
  X(unpin_mmdrop, "iommu_sva_unbind_device") /* mmdrop() after arm64_mm_context_put() */

enum class Pc : uint8_t {
#define CTXSW_PC_ENUM(id, fn) id,
  CTXSW_PCS(CTXSW_PC_ENUM)
#undef CTXSW_PC_ENUM
};

// The kernel function whose code the step at this program point executes.
std::string_view pc_function(Pc pc);
// The identifier of the program point, e.g. "casc_cmpxchg".
std::string_view pc_name(Pc pc);
// The kernel statement(s) the step at this program point executes.
std::string_view pc_detail(Pc pc);

}  // namespace ctxsw
