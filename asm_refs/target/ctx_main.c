/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * context.c harness. Protocol (a line in, a line out):
 *   R ncpus asid_bits kpti cnp   reset context.c's state, run its initcalls
 *   N mm                         a new mm (context.id = 0, not pinned)
 *   C cpu mm                     check_and_switch_context(mm) on cpu
 *   P cpu mm / U cpu mm          arm64_mm_context_get/put(mm) on cpu
 *   Z cpu                        cpu_set_reserved_ttbr0() (switch_mm to init_mm)
 *   Q
 * Every command above but R and Q answers "D key=value..." with the
 * allocator's state and each CPU's TTBR0/TTBR1 and TLB-flush count (from the
 * trapped msr/tlbi). The interleaved differential runs the same calls as
 * coroutines, one per emulated CPU (ctx_coro.c):
 *   S cpu op mm                  op = C|P|U|Z as above: start the call on cpu's
 *                                coroutine and run it to its first yield point
 *   G cpu                        perform the access cpu's coroutine is stopped
 *                                at and run on to its next yield point
 *   D                            the state dump alone
 * S and G answer "Y kind object" (the access the coroutine is stopped before,
 * e.g. "Y atomic64_cmpxchg_relaxed act1") or "Y ret" once the call returned.
 */
#include <stdio.h>
#include <string.h>

#include "ctxsw_kshim.h"

#define MAX_MMS 16

int ctxsw_nr_cpus = 1, ctxsw_kpti, ctxsw_cnp;
u64 ctxsw_mmfr0;
u64 ctxsw_reserved_pg_dir_pa = 0x7f000000;
extern u32 *ctxsw_cur_idx_ptr;
extern int (*ctxsw_early_initcall)(void);
extern int (*ctxsw_arch_initcall)(void);
void ctxsw_ctx_set_asid_bits(u32 b);
u64 ctxsw_ctx_generation(void);
unsigned long *ctxsw_ctx_asid_map(void);
unsigned long *ctxsw_ctx_pinned_map(void);
u64 ctxsw_ctx_active(int c);
u64 ctxsw_ctx_reserved(int c);
unsigned long ctxsw_ctx_pending(void);
unsigned long ctxsw_ctx_nr_pinned(void);
void ctxsw_ctx_reset(void);

const volatile void *ctxsw_ctx_active_ptr(int c);
const volatile void *ctxsw_ctx_generation_ptr(void);
const volatile void *ctxsw_ctx_lock_ptr(void);
const volatile void *ctxsw_ctx_pending_ptr(void);
int ctxsw_ctx_lock_owner(void);

/* ctx_coro.c */
int ctxsw_coro_active(void);
void ctxsw_coro_reset(void);
const char *ctxsw_coro_start(int cpu, void (*fn)(int op, int cpu, int mm), int op, int mm);
const char *ctxsw_coro_resume(int cpu);

static struct mm_struct mms[MAX_MMS];
static int asid_bits_cfg;
static unsigned long last_ret;
static void call(int op, int cpu, int mm);

/* raw_spin_lock_irqsave(): `locked` holds the owner CPU + 1. Alone (the
 * sequential differential) the lock is always free; a coroutine that finds
 * it held yields "spin_wait" until it is released. */
void ctxsw_spin_lock(raw_spinlock_t *l) {
  ctxsw_yield("spin_lock", l);
  while (l->locked) {
    if (!ctxsw_coro_active()) panic();
    ctxsw_yield("spin_wait", l);
  }
  l->locked = ctxsw_cpu + 1;
}
void ctxsw_spin_unlock(raw_spinlock_t *l) {
  ctxsw_yield("spin_unlock", l);
  l->locked = 0;
}

/* The shared word at addr, as the driver names it (asm_refs/src/yield_map.cpp). */
const char *ctxsw_object_name(const volatile void *addr) {
  static char buf[32];
  if (!addr) return "-";
  if (addr == ctxsw_ctx_generation_ptr()) return "gen";
  if (addr == ctxsw_ctx_lock_ptr()) return "lock";
  if (addr == ctxsw_ctx_pending_ptr()) return "pend";
  for (int c = 0; c < ctxsw_nr_cpus; c++)
    if (addr == ctxsw_ctx_active_ptr(c)) return snprintf(buf, sizeof buf, "act%d", c), buf;
  for (int m = 0; m < MAX_MMS; m++)
    if (addr == &mms[m].context.id) return snprintf(buf, sizeof buf, "id%d", m), buf;
  return "?";
}

/* Starts op (C, P, U, Z) on cpu's coroutine (ctx_coro.c). */
static void call(int op, int cpu, int mm) {
  ctxsw_cpu = cpu;
  switch (op) {
    case 'C':
      check_and_switch_context(&mms[mm]);
      break;
    case 'P':
      last_ret = arm64_mm_context_get(&mms[mm]);
      break;
    case 'U':
      arm64_mm_context_put(&mms[mm]);
      break;
    case 'Z':
      cpu_set_reserved_ttbr0();
      break;
  }
}

static void map_hex(char *out, const unsigned long *map, int n) {
  /* bit i is character i: '1' or '0' */
  for (int i = 0; i < n; i++) out[i] = map && test_bit((unsigned)i, map) ? '1' : '0';
  out[n] = 0;
}

static void dump(void) {
  static char map[1 << 16 | 1], pmap[1 << 16 | 1];
  int n = 1 << asid_bits_cfg;
  map_hex(map, ctxsw_ctx_asid_map(), n);
  map_hex(pmap, ctxsw_ctx_pinned_map(), n);
  printf("D gen=%llu cur_idx=%lld map=%s pmap=%s nrpin=%lu pend=%lu ret=%lu lock=%d",
         (unsigned long long)(ctxsw_ctx_generation() >> 16), ctxsw_cur_idx_ptr ? (long long)*ctxsw_cur_idx_ptr : -1ll,
         map, pmap, ctxsw_ctx_nr_pinned(), ctxsw_ctx_pending(), last_ret, ctxsw_ctx_lock_owner());
  for (int c = 0; c < ctxsw_nr_cpus; c++) {
    struct shadow_cpu *s = &ctxsw_shadow[c];
    printf(" act%d=%llu res%d=%llu t0_%d=%llu t1_%d=%llu fl%d=%llu", c, (unsigned long long)ctxsw_ctx_active(c), c,
           (unsigned long long)ctxsw_ctx_reserved(c), c, (unsigned long long)s->ttbr0, c, (unsigned long long)s->ttbr1,
           c, (unsigned long long)s->tlbi);
  }
  for (int m = 0; m < MAX_MMS; m++) printf(" id%d=%llu", m, (unsigned long long)mms[m].context.id.counter);
  putchar('\n');
}

static void reset(int ncpus, int bits, int kpti, int cnp) {
  ctxsw_coro_reset();
  ctxsw_ctx_reset();
  if (ctxsw_cur_idx_ptr) *ctxsw_cur_idx_ptr = 1;
  ctxsw_nr_cpus = ncpus;
  ctxsw_kpti = kpti;
  ctxsw_cnp = cnp;
  asid_bits_cfg = bits;
  /* ID_AA64MMFR0_EL1.ASIDBits: 16 bits when asked for more than 8 */
  ctxsw_mmfr0 = bits > 8 ? (u64)ID_AA64MMFR0_EL1_ASIDBITS_16 << ID_AA64MMFR0_EL1_ASIDBITS_SHIFT : 0;
  memset(ctxsw_shadow, 0, sizeof ctxsw_shadow);
  for (int c = 0; c < ncpus; c++) {
    ctxsw_shadow[c].ttbr0 = ctxsw_reserved_pg_dir_pa;
    ctxsw_shadow[c].ttbr1 = 0x40000000; /* swapper_pg_dir, ASID 0 */
  }
  memset(mms, 0, sizeof mms);
  for (int m = 0; m < MAX_MMS; m++) mms[m].pgd = (pgd_t *)(uintptr_t)(0x100000ul * (unsigned long)(m + 1));
  ctxsw_cpu = 0;
  ctxsw_early_initcall(); /* asids_init() */
  /* a CPU with fewer ASID bits than the 8 the architecture allows (the code
   * is generic in asid_bits; the small widths make rollovers reachable) */
  ctxsw_ctx_set_asid_bits((u32)bits);
  ctxsw_arch_initcall(); /* asids_update_limit() */
}

int main(void) {
  ctxsw_trap_init();
  char line[256];
  while (ctxsw_read_line(line, sizeof line)) {
    int a, b, c, d;
    char op = 0;
    if (sscanf(line, "R %d %d %d %d", &a, &b, &c, &d) == 4 && a >= 1 && a <= CTXSW_MAX_CPUS && b >= 2 && b <= 16) {
      reset(a, b, c, d);
      puts("OK");
    } else if (sscanf(line, "N %d", &a) == 1 && a >= 0 && a < MAX_MMS) {
      mms[a].context.id.counter = 0;
      mms[a].context.pinned.refs = 0;
      dump();
    } else if (sscanf(line, "C %d %d", &a, &b) == 2 && a >= 0 && a < ctxsw_nr_cpus && b >= 0 && b < MAX_MMS) {
      ctxsw_cpu = a;
      check_and_switch_context(&mms[b]);
      dump();
    } else if (sscanf(line, "P %d %d", &a, &b) == 2 && a >= 0 && a < ctxsw_nr_cpus && b >= 0 && b < MAX_MMS) {
      ctxsw_cpu = a;
      last_ret = arm64_mm_context_get(&mms[b]);
      dump();
    } else if (sscanf(line, "U %d %d", &a, &b) == 2 && a >= 0 && a < ctxsw_nr_cpus && b >= 0 && b < MAX_MMS) {
      ctxsw_cpu = a;
      arm64_mm_context_put(&mms[b]);
      dump();
    } else if (sscanf(line, "Z %d", &a) == 1 && a >= 0 && a < ctxsw_nr_cpus) {
      ctxsw_cpu = a;
      cpu_set_reserved_ttbr0();
      dump();
    } else if (sscanf(line, "S %d %c %d", &a, &op, &b) == 3 && a >= 0 && a < ctxsw_nr_cpus && b >= 0 && b < MAX_MMS &&
               op && strchr("CPUZ", op)) {
      printf("Y %s\n", ctxsw_coro_start(a, call, op, b));
    } else if (sscanf(line, "G %d", &a) == 1 && a >= 0 && a < ctxsw_nr_cpus) {
      printf("Y %s\n", ctxsw_coro_resume(a));
    } else if (line[0] == 'D') {
      dump();
    } else if (line[0] == 'Q') {
      break;
    } else {
      printf("E bad command: %s\n", line);
    }
    fflush(stdout);
  }
  return 0;
}
