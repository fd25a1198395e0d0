/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu_switch_to harness. Protocol (one command per line on stdin, one reply
 * line on stdout):
 *   R ncpus ntasks seed   reset: task i < ncpus runs on CPU i, the others never ran
 *   S cpu next            the task on `cpu` calls cpu_switch_to(itself, next);
 *                         reply "D key=value..." from the task that resumes
 *   Q                     quit
 * A crash prints "X ..." (trap.c). Everything that is checked against the
 * model is reported; the host compares (asm_refs/src/switch_diff.cpp).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "switch_shim.h"
#include "trap.h"

#define MAX_TASKS 16
#define STACK_SIZE (64 * 1024)

struct task {
  uint64_t ti_flags;
  uint64_t ti_pad;
  uint64_t scs_sp; /* thread_info.scs_sp */
  char pad0[THREAD_CPU_CONTEXT - 24];
  uint64_t cpu_context[13]; /* x19..x28, fp, sp, pc */
  char pad1[THREAD_KEYS_KERNEL - THREAD_CPU_CONTEXT - 13 * 8];
  uint64_t keys_kernel[2]; /* APIA lo, hi */
  /* harness-only */
  int id;
  uint64_t expect[14]; /* x19..x28, x29, x18, sp, lr it switched out with */
  char *stack;
};
_Static_assert(offsetof(struct task, scs_sp) == TSK_TI_SCS_SP, "TSK_TI_SCS_SP");
_Static_assert(offsetof(struct task, cpu_context) == THREAD_CPU_CONTEXT, "THREAD_CPU_CONTEXT");
_Static_assert(offsetof(struct task, keys_kernel) == THREAD_KEYS_KERNEL, "THREAD_KEYS_KERNEL");

void checked_switch(struct task *prev, struct task *next, uint64_t *expect);
void harness_swap(uint64_t *save, const uint64_t *load);
void fresh_entry(void);
void cpu_boot_tramp(void);
void task_fresh(void) __attribute__((noreturn));
void cpu_boot(int cpu) __attribute__((noreturn));

uint64_t g_rec[15]; /* written by the assembly when a task resumes */
static struct task *tasks[MAX_TASKS];
static int ntasks, ncpus;
static uint64_t main_ctx[24], cpu_ctx[CTXSW_MAX_CPUS][24];
static uint64_t rng = 1;
static struct task *g_prev, *g_next; /* the switch in progress */
static uint64_t g_daif_before;
static char g_out[512];

static uint64_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static int task_id(uint64_t p) {
  for (int i = 0; i < ntasks; i++)
    if ((uint64_t)tasks[i] == p) return i;
  return -1;
}

static int stack_owner(uint64_t sp) {
  for (int i = 0; i < ntasks; i++)
    if (sp > (uint64_t)tasks[i]->stack && sp <= (uint64_t)tasks[i]->stack + STACK_SIZE) return i;
  return -1;
}

static const char *const reg_names[14] = {"x19", "x20", "x21", "x22", "x23", "x24", "x25",
                                          "x26", "x27", "x28", "x29", "x18", "sp",  "lr"};

/* Runs in the task that just resumed on CPU ctxsw_cpu; fills g_out. */
static void after_resume(void) {
  struct shadow_cpu *c = &ctxsw_shadow[ctxsw_cpu];
  int r = stack_owner(g_rec[12]);
  const char *regs = "ok", *saved = "ok";
  if (r < 0) {
    regs = "sp";
  } else {
    const uint64_t *e = tasks[r]->expect;
    /* g_rec: x19..x28, x29, x18, sp, lr */
    for (int i = 0; i < 14; i++) {
      if (i == 11) continue; /* x18 is reported as scs */
      if (g_rec[i] != e[i]) {
        regs = reg_names[i];
        break;
      }
    }
  }
  /* prev's thread.cpu_context must hold the registers prev switched out with */
  const uint64_t *e = g_prev->expect;
  static const int ctx_of[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13};
  for (int i = 0; i < 13; i++) {
    if (g_prev->cpu_context[i] != e[ctx_of[i]]) {
      saved = reg_names[ctx_of[i]];
      break;
    }
  }
  int scs = -1, keys = -1;
  for (int i = 0; i < ntasks; i++) {
    if (scs < 0 && g_rec[11] == tasks[i]->expect[11]) scs = i;
    if (keys < 0 && c->keys[0] == tasks[i]->keys_kernel[0] && c->keys[1] == tasks[i]->keys_kernel[1]) keys = i;
  }
  snprintf(g_out, sizeof g_out,
           "D prev=%d resumed=%d last=%d sp_el0=%d regs=%s saved=%s scs=%d scs_saved=%s keys=%d "
           "msr_sp_el0=%llu daif_at_msr=%llx daif_before=%llx daif_after=%llx",
           g_prev->id, r, task_id(g_rec[14]), task_id(c->sp_el0), regs, saved, scs,
           g_prev->scs_sp == g_prev->expect[11] ? "ok" : "bad", keys, (unsigned long long)c->sp_el0_writes,
           (unsigned long long)c->daif_at_sp_el0_write, (unsigned long long)g_daif_before, (unsigned long long)c->daif);
}

static struct task *current_task(void) {
  int r = stack_owner(g_rec[12]);
  return r >= 0 ? tasks[r] : NULL;
}

static void __attribute__((noreturn)) task_loop(struct task *self) {
  for (;;) {
    harness_swap(cpu_ctx[ctxsw_cpu], main_ctx); /* wait for a command for this CPU */
    struct task *next = g_next;
    struct shadow_cpu *c = &ctxsw_shadow[ctxsw_cpu];
    for (int i = 0; i < 12; i++) self->expect[i] = rnd();
    g_prev = self;
    g_daif_before = c->daif = rnd() & 0x3c0;
    c->sp_el0_writes = 0;
    c->daif_at_sp_el0_write = ~0ull;
    checked_switch(self, next, self->expect);
    /* resumed, possibly much later and on another CPU */
    after_resume();
    self = current_task();
    if (!self) {
      fputs("X resumed-on-unknown-stack\n", stdout);
      fflush(stdout);
      exit(3);
    }
  }
}

void task_fresh(void) {
  after_resume();
  struct task *self = current_task();
  if (!self) {
    fputs("X fresh-on-unknown-stack\n", stdout);
    fflush(stdout);
    exit(3);
  }
  task_loop(self);
}

void cpu_boot(int cpu) { task_loop(tasks[cpu]); }

static void reset(int nc, int nt, uint64_t seed) {
  for (int i = 0; i < ntasks; i++) {
    free(tasks[i]->stack);
    free(tasks[i]);
  }
  ncpus = nc;
  ntasks = nt;
  rng = seed * 2654435761u + 88172645463325252ull;
  memset(ctxsw_shadow, 0, sizeof ctxsw_shadow);
  for (int i = 0; i < nt; i++) {
    struct task *t = aligned_alloc(64, sizeof *t);
    memset(t, 0, sizeof *t);
    t->id = i;
    t->stack = malloc(STACK_SIZE);
    t->keys_kernel[0] = rnd();
    t->keys_kernel[1] = rnd();
    /* a task that never ran: its cpu_context sends it to fresh_entry */
    for (int k = 0; k < 12; k++) t->expect[k] = rnd();
    t->expect[12] = ((uint64_t)t->stack + STACK_SIZE) & ~15ull;
    t->expect[13] = (uint64_t)&fresh_entry;
    for (int k = 0; k < 11; k++) t->cpu_context[k] = t->expect[k];
    t->cpu_context[11] = t->expect[12];
    t->cpu_context[12] = t->expect[13];
    t->scs_sp = t->expect[11];
    tasks[i] = t;
  }
  for (int c = 0; c < nc; c++) {
    struct task *t = tasks[c];
    ctxsw_shadow[c].sp_el0 = (uint64_t)t;
    ctxsw_shadow[c].keys[0] = t->keys_kernel[0];
    ctxsw_shadow[c].keys[1] = t->keys_kernel[1];
    memset(cpu_ctx[c], 0, sizeof cpu_ctx[c]);
    cpu_ctx[c][0] = (uint64_t)c;                /* x19 */
    cpu_ctx[c][11] = (uint64_t)&cpu_boot_tramp; /* x30 */
    cpu_ctx[c][12] = t->expect[12];             /* sp */
    ctxsw_cpu = c;
    harness_swap(main_ctx, cpu_ctx[c]); /* runs until the CPU waits for its first command */
  }
}

int main(void) {
  ctxsw_trap_init();
  char line[256];
  while (ctxsw_read_line(line, sizeof line)) {
    int a, b;
    unsigned long long s;
    if (sscanf(line, "R %d %d %llu", &a, &b, &s) == 3 && a >= 1 && a <= CTXSW_MAX_CPUS && b > a && b <= MAX_TASKS) {
      reset(a, b, s);
      puts("OK");
    } else if (sscanf(line, "S %d %d", &a, &b) == 2 && a >= 0 && a < ncpus && b >= 0 && b < ntasks) {
      ctxsw_cpu = a;
      g_next = tasks[b];
      harness_swap(main_ctx, cpu_ctx[a]);
      puts(g_out);
    } else if (line[0] == 'Q') {
      break;
    } else {
      printf("E bad command: %s\n", line);
    }
    fflush(stdout);
  }
  return 0;
}
