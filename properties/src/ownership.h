// SPDX-License-Identifier: GPL-2.0-only
//
// Who owns a reference to an mm (mm_count) in a model state. Shared by
// mm.count_exact and the Z3 side's cross-checks; derived from the kernel's
// comments in context_switch() ("lazy + mmgrab() active", "will mmdrop() in
// finish_task_switch()") and exit_mm().
#pragma once

#include <array>

#include "ctxsw/model/config.h"
#include "ctxsw/model/state.h"

namespace ctxsw {

// A task's active_mm holds an mm_count reference when it is borrowed: a
// kernel thread (also one inside kthread_use_mm()), or a task with mm == NULL
// (an exited user task). A user task's own mm is held through mm_users.
inline bool owns_active_mm_reference(const Config &cfg, const State &s, int t) {
  const TaskState &ts = s.task[t];
  if (ts.active_mm == kNone || ts.run == TaskRun::unborn) return false;
  return ts.mm == kNone || cfg.tasks[t].kind != TaskKind::user;
}

// mm_count as the references that own it: 1 while mm_users > 0, each lazy
// borrower, each rq->prev_mm, each CPU local holding one (e.g. `mm` in
// finish_task_switch, `active_mm` in kthread_use_mm), each pin. For every mm
// at once (one pass over the tasks and CPUs: this runs on every state the
// checker makes).
inline std::array<int, kMaxMms> expected_mm_counts(const Config &cfg, const State &s) {
  std::array<int, kMaxMms> n{};
  for (int m = 0; m < cfg.nr_mms(); m++) n[m] = (s.mm[m].users > 0) + s.mm[m].pinned;
  auto owner = [&](uint8_t m) {
    if (m < kMaxMms) n[m]++;  // not kNone, reserved_pg_dir or a freed mm's marker
  };
  for (int t = 0; t < cfg.nr_tasks(); t++)
    if (owns_active_mm_reference(cfg, s, t)) owner(s.task[t].active_mm);
  for (int c = 0; c < cfg.cpus; c++) {
    owner(s.cpu[c].prev_mm);
    owner(s.cpu[c].ref_mm);
  }
  return n;
}

}  // namespace ctxsw
