// SPDX-License-Identifier: GPL-2.0-only
//
// kernel/sched/core.c (6.1): __schedule() → context_switch() → switch_to()
// → finish_task_switch(). Read beside context_switch() at core.c:5205.
#include "kernel.h"

namespace ctxsw::kernel {

void return_to_running(K &k) {
  CpuState &c = k.cpu();
  c.pc = Pc::running;
  c.caller = Caller::none;
  c.sm_prev = c.sm_next = kNone;
  c.asid = CtxId{};
  c.old_active = CtxId{};
  c.idx = 0;
  c.ref_mm = c.op_mm = kNone;
  c.fts_prev = kNone;
  c.prev_state = 0;
  c.ghost_prev_curr = kNone;
}

// __schedule(): next = pick_next_task(rq, prev, &rf);
//   RCU_INIT_POINTER(rq->curr, next);
//   context_switch(rq, prev, next, &rf) → prepare_task_switch() → prepare_task(next):
//     WRITE_ONCE(next->on_cpu, 1);
// The pick itself is the scheduler's choice: the model lets any eligible task
// be picked (see model.cpp: schedule_eligible()).
void schedule_pick(K &k, uint8_t next) {
  CpuState &c = k.cpu();
  uint8_t prev = c.curr;
  c.ghost_prev_curr = prev;
  c.curr = next;                // rq->curr = next
  k.task(next).on_cpu = 1;      // prepare_task(next)
  k.task(prev).sw_prev = prev;  // context_switch(rq, prev, next): locals on prev's stack
  k.task(prev).sw_next = next;
  c.pc = Pc::cs_mm;
}

//	 * kernel -> kernel   lazy + transfer active
//	 *   user -> kernel   lazy + mmgrab() active
//	 *
//	 * kernel ->   user   switch + mmdrop() active
//	 *   user ->   user   switch
void context_switch_mm(K &k) {
  uint8_t prev = k.current();  // still on prev's stack
  TaskState &p = k.task(prev);
  TaskState &n = k.task(p.sw_next);

  if (n.mm == kNone) {  // to kernel
    // enter_lazy_tlb(prev->active_mm, next): update_saved_ttbr0() only, a
    // no-op unless system_uses_ttbr0_pan() (not modelled: hardware PAN).
    n.active_mm = p.active_mm;
    if (p.mm != kNone) {  // from user
      if (!k.mutant(Mutant::no_mmgrab_user_to_kernel)) mmgrab(k, p.active_mm);
    } else {
      if (k.mutant(Mutant::kernel_to_kernel_grab))
        mmgrab(k, p.active_mm);  // mutant: grab again instead of transferring
      else
        p.active_mm = kNone;
    }
    k.cpu().pc = Pc::switch_to;
  } else {  // to user
    uint8_t oldmm = p.active_mm;
    if (k.mutant(Mutant::drop_in_context_switch) && p.mm == kNone) {
      mmdrop(k, oldmm);  // mutant: drop the borrowed mm now, not in finish_task_switch()
      p.active_mm = kNone;
    }
    // membarrier_switch_mm(): no model state.
    // switch_mm_irqs_off(prev->active_mm, next->mm, next); continues in
    // context_switch_after_switch_mm() once the mm is installed.
    switch_mm_irqs_off(k, oldmm, n.mm, Caller::context_switch);
  }
}

// Back in context_switch() after switch_mm_irqs_off(): lru_gen_use_mm(), then
//		if (!prev->mm) {                        // from kernel
void context_switch_after_switch_mm(K &k) {
  uint8_t prev = k.current();
  k.cpu().pc = k.task(prev).mm == kNone ? Pc::cs_from_kernel : Pc::switch_to;
}

//			/* will mmdrop() in finish_task_switch(). */
//			rq->prev_mm = prev->active_mm;
//			prev->active_mm = NULL;
void context_switch_from_kernel(K &k) {
  TaskState &p = k.task(k.current());
  k.cpu().prev_mm = p.active_mm;  // kNone under drop_in_context_switch: dropped already
  p.active_mm = kNone;
  k.cpu().pc = Pc::switch_to;
}

// switch_to(prev, next, prev) → __switch_to() → cpu_switch_to(prev, next)
// (arch/arm64/kernel/entry.S): store prev's x19-x29, sp, lr in
// prev->thread.cpu_context, load next's, msr sp_el0, x1; x0 (prev) is
// returned untouched, so the resumed task receives last = the task that ran
// on THIS CPU just before it.
void switch_to(K &k) {
  CpuState &c = k.cpu();
  uint8_t prev = c.sp_el0;
  uint8_t next = k.task(prev).sw_next;
  k.task(prev).sw_next = kNone;     // dead from here on: only prev (= last) is used after return
  k.task(prev).saved_ctx = c.regs;  // stp x19..lr, [x0 + THREAD_CPU_CONTEXT]
  c.regs = k.task(next).saved_ctx;  // ldp x19..lr, [x1 + THREAD_CPU_CONTEXT]
  c.sp_el0 = next;                  // msr sp_el0, x1
  TaskState &n = k.task(next);
  n.last = prev;  // x0 in the new context
  // barrier(); return finish_task_switch(prev);  -- prev is now `last`.
  // A task that never switched out starts in ret_from_fork → schedule_tail(x0).
  if (n.sw_prev != kNone && k.mutant(Mutant::switch_to_two_args))
    c.fts_prev = n.sw_prev;  // mutant: the stale local prev (the task itself)
  else
    c.fts_prev = prev;
  c.pc = Pc::fts_finish_task;
}

//	struct mm_struct *mm = rq->prev_mm;
//	rq->prev_mm = NULL;
//	prev_state = READ_ONCE(prev->__state);   (read before on_cpu is cleared)
//	finish_task(prev);  → smp_store_release(&prev->on_cpu, 0);
void finish_task_switch_finish_task(K &k) {
  CpuState &c = k.cpu();
  c.ref_mm = c.prev_mm;  // the reference now lives in the local `mm`
  c.prev_mm = kNone;
  TaskState &p = k.task(c.fts_prev);
  c.prev_state = p.run == TaskRun::dead;
  p.on_cpu = 0;
  if (c.ref_mm != kNone)
    c.pc = Pc::fts_mmdrop;
  else if (c.prev_state)
    c.pc = Pc::fts_task_dead;
  else
    finish_task_switch_task_dead(k);  // nothing left: falls through to return
}

//	if (mm) {
//		membarrier_mm_sync_core_before_usermode(mm);
//		mmdrop_sched(mm);
//	}
void finish_task_switch_mmdrop(K &k) {
  CpuState &c = k.cpu();
  mmdrop(k, c.ref_mm);
  c.ref_mm = kNone;
  if (c.prev_state)
    c.pc = Pc::fts_task_dead;
  else
    finish_task_switch_task_dead(k);
}

//	if (unlikely(prev_state == TASK_DEAD)) {
//		...
//		put_task_struct_rcu_user(prev);
//	}
// then return to the resumed task: its context_switch() frame is popped.
void finish_task_switch_task_dead(K &k) {
  CpuState &c = k.cpu();
  if (c.prev_state) k.task(c.fts_prev).run = TaskRun::reaped;
  TaskState &cur = k.task(c.sp_el0);
  cur.sw_prev = cur.sw_next = cur.last = kNone;
  return_to_running(k);
}

}  // namespace ctxsw::kernel
