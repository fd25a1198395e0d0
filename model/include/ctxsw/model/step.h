// SPDX-License-Identifier: GPL-2.0-only
//
// The label of one transition: which CPU acted and what it did. A CPU inside
// a kernel path takes its next step (Action::step, at the program point `pc`);
// a CPU at Pc::running may start one of the environment actions of SPEC §3.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ctxsw/model/pc.h"

namespace ctxsw {

struct Config;

#define CTXSW_ACTIONS(X)                                                                  \
  X(step, "")                               /* the CPU's next step, named by its pc */    \
  X(schedule, "__schedule")                 /* pick next (arg), rq->curr = next */        \
  X(exit_mm, "exit_mm")                     /* mmgrab(mm) at the start of exit_mm() */    \
  X(do_task_dead, "do_task_dead")           /* TASK_DEAD; the last schedule follows */    \
  X(fork_process, "copy_process")           /* fork(): new mm (arg = new task) */         \
  X(fork_thread, "copy_process")            /* clone(CLONE_VM): mmget (arg = new task) */ \
  X(kthread_use_mm, "kthread_use_mm")       /* mmget_not_zero(mm = arg), then use */      \
  X(kthread_unuse_mm, "kthread_unuse_mm")   /* tsk->mm = NULL */                          \
  X(mm_context_get, "arm64_mm_context_get") /* SVA bind: mmgrab(mm) then pin */           \
  X(mm_context_put, "arm64_mm_context_put") /* SVA unbind: unpin then mmdrop */

enum class Action : uint8_t {
#define CTXSW_ACTION_ENUM(id, fn) id,
  CTXSW_ACTIONS(CTXSW_ACTION_ENUM)
#undef CTXSW_ACTION_ENUM
};

struct Step {
  uint8_t cpu = 0;
  Action action = Action::step;
  Pc pc = Pc::running;  // for Action::step: the program point executed
  uint8_t arg = 0xff;   // task or mm operand of an environment action
  friend bool operator==(const Step &, const Step &) = default;
};

std::string_view action_name(Action a);         // "schedule", "exit_mm", ...
std::string_view step_function(const Step &s);  // kernel function, e.g. "check_and_switch_context"
// One line, e.g. "cpu1 __schedule: next = B" or "cpu0 flush_context: atomic64_xchg_relaxed(active_asids[1], 0)".
std::string describe_step(const Config &cfg, const Step &s);
// The short token used by scenario files and the explorer, e.g. "schedule B",
// "step casc_cmpxchg", "kthread_use_mm a".
std::string step_token(const Config &cfg, const Step &s);

}  // namespace ctxsw
