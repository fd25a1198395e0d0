// SPDX-License-Identifier: GPL-2.0-only
#include <array>

#include "ctxsw/model/config.h"
#include "ctxsw/model/pc.h"
#include "ctxsw/model/state.h"
#include "ctxsw/model/step.h"

namespace ctxsw {
namespace {

struct PcText {
  std::string_view name, function, detail;
};

constexpr PcText kPcText[] = {
    {"running", "-", "-"},
    {"cs_mm", "context_switch", "if (!next->mm) lazy + mmgrab/transfer; else switch_mm_irqs_off()"},
    {"cs_from_kernel", "context_switch", "rq->prev_mm = prev->active_mm; prev->active_mm = NULL"},
    {"switch_to", "switch_to", "cpu_switch_to(prev, next): save prev, load next, sp_el0 = next, x0 = last"},
    {"fts_finish_task", "finish_task_switch",
     "mm = rq->prev_mm; rq->prev_mm = NULL; prev_state = prev->__state; finish_task(prev)"},
    {"fts_mmdrop", "finish_task_switch", "mmdrop_sched(mm)"},
    {"fts_task_dead", "finish_task_switch", "prev_state == TASK_DEAD: put_task_struct_rcu_user(prev)"},
    {"casc_cnp_reserved", "check_and_switch_context", "system_supports_cnp(): cpu_set_reserved_ttbr0()"},
    {"casc_read_id", "check_and_switch_context", "asid = atomic64_read(&mm->context.id)"},
    {"casc_read_active", "check_and_switch_context", "old_active_asid = atomic64_read(&active_asids)"},
    {"casc_gen_match", "check_and_switch_context", "asid_gen_match(asid): atomic64_read(&asid_generation)"},
    {"casc_cmpxchg", "check_and_switch_context", "atomic64_cmpxchg_relaxed(&active_asids, old_active_asid, asid)"},
    {"casc_lock", "check_and_switch_context", "raw_spin_lock_irqsave(&cpu_asid_lock)"},
    {"casc_new_context", "check_and_switch_context",
     "asid = context.id; if (!asid_gen_match(asid)) asid = new_context(mm)"},
    {"nc_rollover", "new_context",
     "atomic64_add_return_relaxed(ASID_FIRST_VERSION, &asid_generation); set_reserved_asid_bits()"},
    {"fc_xchg", "flush_context", "atomic64_xchg_relaxed(&per_cpu(active_asids, i), 0); reserved_asids"},
    {"nc_after_flush", "new_context",
     "cpumask_setall(&tlb_flush_pending); find_next_zero_bit(asid_map, NUM_USER_ASIDS, 1)"},
    {"casc_set_id", "check_and_switch_context", "atomic64_set(&mm->context.id, asid)"},
    {"casc_unlock", "check_and_switch_context",
     "tlb_flush_pending: local_flush_tlb_all(); atomic64_set(&active_asids, asid); unlock"},
    {"csm_reserved", "cpu_switch_mm", "cpu_set_reserved_ttbr0()"},
    {"csm_read_asid", "cpu_do_switch_mm", "asid = ASID(mm)"},
    {"csm_write_ttbr", "cpu_do_switch_mm", "write_sysreg(ttbr1, ttbr1_el1); write_sysreg(ttbr0, ttbr0_el1)"},
    {"exit_clear_mm", "exit_mm", "current->mm = NULL; enter_lazy_tlb(mm, current)"},
    {"mmput", "mmput", "atomic_dec_and_test(&mm->mm_users)"},
    {"mmput_mmdrop", "__mmput", "mmdrop(mm)"},
    {"kum_grab", "kthread_use_mm", "mmgrab(mm); tsk->active_mm = mm; tsk->mm = mm; switch_mm_irqs_off()"},
    {"kum_drop", "kthread_use_mm", "mmdrop(active_mm)"},
    {"pin_lock", "arm64_mm_context_get", "raw_spin_lock_irqsave(&cpu_asid_lock)"},
    {"pin_body", "arm64_mm_context_get", "refcount_inc_not_zero / max_pinned_asids / new_context(mm)"},
    {"pin_set", "arm64_mm_context_get", "nr_pinned_asids++; __set_bit(asid, pinned_asid_map); unlock"},
    {"pin_fail_drop", "iommu_sva_bind_device", "mmdrop(mm) after a failed pin"},
    {"unpin_mmdrop", "iommu_sva_unbind_device", "mmdrop(mm)"},
};

struct ActionText {
  std::string_view name, function;
};
constexpr ActionText kActionText[] = {
#define CTXSW_ACTION_TEXT(id, fn) {#id, fn},
    CTXSW_ACTIONS(CTXSW_ACTION_TEXT)
#undef CTXSW_ACTION_TEXT
};

const PcText &pc_text(Pc pc) { return kPcText[static_cast<size_t>(pc)]; }

}  // namespace

std::string_view pc_name(Pc pc) { return pc_text(pc).name; }
std::string_view pc_function(Pc pc) { return pc_text(pc).function; }
std::string_view pc_detail(Pc pc) { return pc_text(pc).detail; }

std::string_view action_name(Action a) { return kActionText[static_cast<size_t>(a)].name; }

std::string_view step_function(const Step &s) {
  return s.action == Action::step ? pc_function(s.pc) : kActionText[static_cast<size_t>(s.action)].function;
}

std::string step_token(const Config &cfg, const Step &s) {
  switch (s.action) {
    case Action::step:
      return "step " + std::string(pc_name(s.pc));
    case Action::schedule:
    case Action::fork_process:
    case Action::fork_thread:
      return std::string(action_name(s.action)) + " " + cfg.task_name(s.arg);
    case Action::kthread_use_mm:
      return "kthread_use_mm " + cfg.mm_name(s.arg);
    default:
      return std::string(action_name(s.action));
  }
}

std::string describe_step(const Config &cfg, const Step &s) {
  std::string out = "cpu" + std::to_string(s.cpu) + " " + std::string(step_function(s)) + ": ";
  switch (s.action) {
    case Action::step:
      out += pc_detail(s.pc);
      break;
    case Action::schedule:
      out += "next = " + cfg.task_name(s.arg) + "; rq->curr = next; next->on_cpu = 1";
      break;
    case Action::exit_mm:
      out += "mmgrab(" + cfg.mm_name(s.arg) + ")";
      break;
    case Action::do_task_dead:
      out += "set_special_state(TASK_DEAD); __schedule()";
      break;
    case Action::fork_process:
      out += "fork(): " + cfg.task_name(s.arg) + " with a new mm";
      break;
    case Action::fork_thread:
      out += "clone(CLONE_VM): " + cfg.task_name(s.arg) + ", mmget(mm)";
      break;
    case Action::kthread_use_mm:
      out += "mmget_not_zero(" + cfg.mm_name(s.arg) + ")";
      break;
    case Action::kthread_unuse_mm:
      out += "tsk->mm = NULL";
      break;
    case Action::mm_context_get:
      out += "mmgrab(" + cfg.mm_name(s.arg) + "), pin its ASID";
      break;
    case Action::mm_context_put:
      out += "unpin the ASID of " + cfg.mm_name(s.arg);
      break;
  }
  return out;
}

}  // namespace ctxsw
