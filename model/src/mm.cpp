// SPDX-License-Identifier: GPL-2.0-only
//
// mm_struct lifetime: include/linux/sched/mm.h (mmgrab, mmdrop), kernel/fork.c
// (copy_mm, mmput), kernel/exit.c (exit_mm, do_task_dead), kernel/kthread.c
// (kthread_use_mm, kthread_unuse_mm).
#include "kernel.h"

namespace ctxsw::kernel {

// mmgrab(): atomic_inc(&mm->mm_count);
void mmgrab(K &k, uint8_t mm) {
  MmState &m = k.mm(mm);
  if (m.count == 0xff) throw ModelLimit("mm_count overflow in the model");
  m.count++;
}

// mmdrop(): if (unlikely(atomic_dec_and_test(&mm->mm_count))) __mmdrop(mm);
// init_mm is never freed; a drop below zero is recorded, not wrapped.
void mmdrop(K &k, uint8_t mm) {
  MmState &m = k.mm(mm);
  if (m.count == 0) {
    m.underflow = 1;  // mm.count_exact reports it
    return;
  }
  if (--m.count == 0) {
    // __mmdrop(): mm_free_pgd(), free_mm(). Nothing reads a freed mm's
    // context.id again (only live mms reach new_context()), so it is cleared;
    // its TLB entries stay, re-tagged as "some freed mm" (kFreedMm): stale
    // entries matter to tlb.no_stale_alias only through m' != m.
    m.live = 0;
    m.freed = 1;
    m.id = CtxId{};
    for (int c = 0; c < (k.cfg.cnp ? 1 : k.cfg.cpus); c++) {
      Tlb &t = k.s.cpu[c].tlb;
      for (int i = 0; i < t.n; i++)
        if (t.e[i].mm == mm) t.e[i].mm = kFreedMm;
      tlb_canonicalise(t);
    }
  }
}

// copy_process() → copy_mm() without CLONE_VM: dup_mm() gives a new mm with
// mm_users = mm_count = 1 and context.id = 0 (init_new_context()).
void fork_process(K &k, uint8_t child, uint8_t new_mm) {
  MmState &m = k.mm(new_mm);
  m.live = 1;
  m.users = 1;
  m.count = 1;
  m.id = CtxId{};
  TaskState &t = k.task(child);
  t.run = TaskRun::running;
  t.mm = t.active_mm = new_mm;
  t.saved_ctx = child;
}

// copy_mm() with CLONE_VM: mmget(oldmm) — atomic_inc(&mm->mm_users).
void fork_thread(K &k, uint8_t child) {
  uint8_t mm = k.task(k.current()).mm;
  k.mm(mm).users++;
  TaskState &t = k.task(child);
  t.run = TaskRun::running;
  t.mm = t.active_mm = mm;
  t.saved_ctx = child;
}

// exit_mm():
//	mmgrab(mm);
//	BUG_ON(mm != current->active_mm);
void exit_mm_start(K &k) {
  CpuState &c = k.cpu();
  uint8_t mm = k.task(k.current()).mm;
  mmgrab(k, mm);
  c.ref_mm = mm;  // held by exit_mm() until current becomes a lazy user of it
  c.op_mm = mm;
  c.pc = Pc::exit_clear_mm;
}

//	current->mm = NULL;
//	membarrier_update_current_mm(NULL);
//	enter_lazy_tlb(mm, current);
void exit_clear_mm(K &k) {
  TaskState &t = k.task(k.current());
  t.mm = kNone;  // active_mm stays: the grabbed reference is now the lazy one
  t.exited_mm = 1;
  k.cpu().ref_mm = kNone;
  k.cpu().pc = Pc::mmput;
}

// mmput(mm): if (atomic_dec_and_test(&mm->mm_users)) __mmput(mm);
void mmput(K &k) {
  CpuState &c = k.cpu();
  MmState &m = k.mm(c.op_mm);
  if (m.users == 0) {
    m.underflow = 1;
    return_to_running(k);
    return;
  }
  if (--m.users == 0) {
    // __mmput(): exit_mmap() ... mmdrop(mm). The users' share of mm_count
    // is held by __mmput() until that mmdrop.
    c.ref_mm = c.op_mm;
    c.pc = Pc::mmput_mmdrop;
  } else {
    return_to_running(k);
  }
}

void mmput_mmdrop(K &k) {
  mmdrop(k, k.cpu().ref_mm);
  return_to_running(k);
}

// do_exit() → do_task_dead(): set_special_state(TASK_DEAD); __schedule(SM_NONE);
// The schedule that follows is an ordinary Action::schedule whose prev is dead.
void do_task_dead(K &k) { k.task(k.current()).run = TaskRun::dead; }

// A caller of kthread_use_mm() holds mm_users: mmget_not_zero(mm) first.
void kthread_use_mm_start(K &k, uint8_t mm) {
  k.mm(mm).users++;
  k.cpu().op_mm = mm;
  k.cpu().pc = Pc::kum_grab;
}

// kthread_use_mm(mm):
//	active_mm = tsk->active_mm;
//	if (active_mm != mm) {
//		mmgrab(mm);
//		tsk->active_mm = mm;
//	}
//	tsk->mm = mm;
//	switch_mm_irqs_off(active_mm, mm, tsk);
void kthread_use_mm_grab(K &k) {
  CpuState &c = k.cpu();
  TaskState &t = k.task(k.current());
  uint8_t mm = c.op_mm;
  uint8_t active_mm = t.active_mm;
  if (active_mm != mm) {
    mmgrab(k, mm);
    t.active_mm = mm;
    c.ref_mm = active_mm;  // the old lazy reference, dropped after the switch
  }
  t.mm = mm;
  switch_mm_irqs_off(k, active_mm, mm, Caller::kthread_use_mm);
}

//	if (active_mm != mm)
//		mmdrop(active_mm);
void kthread_use_mm_drop(K &k) {
  CpuState &c = k.cpu();
  if (c.ref_mm != kNone) mmdrop(k, c.ref_mm);
  return_to_running(k);
}

// kthread_unuse_mm(mm):
//	tsk->mm = NULL;
//	/* active_mm is still 'mm' */
//	enter_lazy_tlb(mm, tsk);
// followed by the caller's mmput(mm).
void kthread_unuse_mm(K &k) {
  TaskState &t = k.task(k.current());
  k.cpu().op_mm = t.mm;
  t.mm = kNone;
  k.cpu().pc = Pc::mmput;
}

}  // namespace ctxsw::kernel
