/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One coroutine per emulated CPU for the interleaved context.c differential
 * (ucontext: getcontext/makecontext/swapcontext, each with its own stack).
 * A call of context.c (check_and_switch_context() and friends) runs on its
 * CPU's coroutine; ctxsw_yield(), called by the shim before every observable
 * access, records the access and switches back to the driver loop in
 * ctx_main.c, which resumes whichever CPU the model steps next.
 */
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include "ctxsw_kshim.h"

#define CORO_STACK (256 * 1024)

const char *ctxsw_object_name(const volatile void *addr);

struct coro {
  ucontext_t ctx;
  char *stack;
  int live; /* started and not yet returned */
  void (*fn)(int op, int cpu, int mm);
  int op, mm;
  char at[96]; /* "kind object" of the access it is stopped before, or "ret" */
};

static struct coro coros[CTXSW_MAX_CPUS];
static ucontext_t driver;
static int running = -1; /* the CPU whose coroutine runs now, -1: the driver */

int ctxsw_coro_active(void) { return running >= 0; }

void ctxsw_yield(const char *what, const volatile void *addr) {
  if (running < 0) return; /* sequential: a plain call */
  struct coro *co = &coros[running];
  snprintf(co->at, sizeof co->at, "%s %s", what, ctxsw_object_name(addr));
  int me = running;
  running = -1;
  swapcontext(&co->ctx, &driver);
  /* resumed by ctxsw_coro_resume(me): this CPU executes again */
  running = me;
  ctxsw_cpu = me;
}

static void trampoline(int cpu) {
  struct coro *co = &coros[cpu];
  co->fn(co->op, cpu, co->mm);
  strcpy(co->at, "ret");
  co->live = 0;
  running = -1;
  /* uc_link returns to the driver */
}

static const char *run(int cpu) {
  running = cpu;
  ctxsw_cpu = cpu;
  swapcontext(&driver, &coros[cpu].ctx);
  running = -1;
  return coros[cpu].at;
}

void ctxsw_coro_reset(void) {
  for (int c = 0; c < CTXSW_MAX_CPUS; c++) coros[c].live = 0;
  running = -1;
}

const char *ctxsw_coro_start(int cpu, void (*fn)(int, int, int), int op, int mm) {
  struct coro *co = &coros[cpu];
  if (co->live) return "error a call is already running on this cpu";
  if (!co->stack) co->stack = malloc(CORO_STACK);
  if (!co->stack || getcontext(&co->ctx) != 0) return "error no coroutine";
  co->ctx.uc_stack.ss_sp = co->stack;
  co->ctx.uc_stack.ss_size = CORO_STACK;
  co->ctx.uc_link = &driver;
  co->fn = fn;
  co->op = op;
  co->mm = mm;
  co->live = 1;
  makecontext(&co->ctx, (void (*)(void))trampoline, 1, cpu);
  return run(cpu);
}

const char *ctxsw_coro_resume(int cpu) {
  if (!coros[cpu].live) return "error no call is running on this cpu";
  return run(cpu);
}
