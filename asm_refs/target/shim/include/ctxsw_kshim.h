/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The shim that arch/arm64/mm/context.c compiles against, unmodified: every
 * <linux/...> and <asm/...> header it includes is a one-line file that
 * includes this one. Written for this harness (not copied from the kernel).
 * Per-CPU variables are arrays indexed by the emulated CPU `ctxsw_cpu`;
 * read_sysreg/write_sysreg are the real mrs/msr (trapped, trap.c); the TLB
 * flush is a real tlbi (trapped and counted). Features the model configures
 * (KPTI, CnP) are run-time variables.
 */
#ifndef CTXSW_KSHIM_H
#define CTXSW_KSHIM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trap.h"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;
typedef u64 phys_addr_t;
typedef struct {
  s64 counter;
} atomic64_t;
typedef struct {
  int refs;
} refcount_t;
typedef struct {
  int locked;
} raw_spinlock_t;
typedef u64 pgd_t;

extern int ctxsw_nr_cpus, ctxsw_kpti, ctxsw_cnp;
extern u64 ctxsw_mmfr0;
extern u64 ctxsw_reserved_pg_dir_pa;

/* Called before every action another CPU or the model can observe: each
 * atomic on a shared word, the lock, the tlb_flush_pending cpumask, each msr
 * of a TTBR and the TLB flush. `addr` is the word (NULL for CPU-private
 * registers). The yield points of the interleaved differential, where the
 * emulated CPU's coroutine hands control back to the driver (ctx_main.c);
 * no-ops outside a coroutine (the sequential differential). */
void ctxsw_yield(const char *what, const volatile void *addr);

#define NR_CPUS CTXSW_MAX_CPUS
#define BITS_PER_LONG 64
#define BITS_TO_LONGS(n) (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define GENMASK(h, l) (((~0UL) << (l)) & (~0UL >> (BITS_PER_LONG - 1 - (h))))
#define BIT(n) (1UL << (n))
#define fallthrough __attribute__((__fallthrough__))
#define unlikely(x) __builtin_expect(!!(x), 0)
#define likely(x) __builtin_expect(!!(x), 1)
#define asmlinkage
#define __init
#define EXPORT_SYMBOL_GPL(x)
#define EXPORT_SYMBOL(x)
#define GFP_KERNEL 0

#define ctxsw_cfg_CONFIG_ARM64_SW_TTBR0_PAN 1
#define ctxsw_cfg_CONFIG_CAVIUM_ERRATUM_27456 0
#define ctxsw_cfg_CONFIG_UNMAP_KERNEL_AT_EL0 ctxsw_kpti
#define IS_ENABLED(option) (ctxsw_cfg_##option)
#define ALTERNATIVE(oldinstr, newinstr, cap) oldinstr

/* printing and failure */
#define pr_warn(...) fprintf(stderr, __VA_ARGS__)
#define pr_crit(...) fprintf(stderr, __VA_ARGS__)
#define pr_info(...) ((void)0)
#define panic(...) (fprintf(stdout, "X panic\n"), fflush(stdout), exit(3))
#define cpu_panic_kernel() panic()
#define WARN_ON(x)   \
  ({                 \
    int __w = !!(x); \
    __w;             \
  })
#define BUG_ON(x)   \
  do {              \
    if (x) panic(); \
  } while (0)

/* CPUs */
#define smp_processor_id() (ctxsw_cpu)
#define num_possible_cpus() (ctxsw_nr_cpus)
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < ctxsw_nr_cpus; (cpu)++)
#define DEFINE_PER_CPU(type, name) __typeof__(type) name[NR_CPUS]
#define per_cpu(var, cpu) ((var)[(cpu)])
#define this_cpu_ptr(ptr) (&(*(ptr))[ctxsw_cpu])

/* atomics: each is one access of a shared word, a yield point */
static inline s64 atomic64_read(atomic64_t *v) {
  ctxsw_yield("atomic64_read", v);
  return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}
static inline void atomic64_set(atomic64_t *v, s64 i) {
  ctxsw_yield("atomic64_set", v);
  __atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}
static inline s64 atomic64_xchg_relaxed(atomic64_t *v, s64 i) {
  ctxsw_yield("atomic64_xchg_relaxed", v);
  return __atomic_exchange_n(&v->counter, i, __ATOMIC_RELAXED);
}
static inline s64 atomic64_cmpxchg_relaxed(atomic64_t *v, s64 old, s64 new_) {
  ctxsw_yield("atomic64_cmpxchg_relaxed", v);
  __atomic_compare_exchange_n(&v->counter, &old, new_, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
  return old;
}
static inline s64 atomic64_add_return_relaxed(s64 i, atomic64_t *v) {
  ctxsw_yield("atomic64_add_return_relaxed", v);
  return __atomic_add_fetch(&v->counter, i, __ATOMIC_RELAXED);
}

/* refcount */
static inline unsigned refcount_read(refcount_t *r) { return (unsigned)r->refs; }
static inline void refcount_set(refcount_t *r, int n) { r->refs = n; }
static inline bool refcount_inc_not_zero(refcount_t *r) {
  if (!r->refs) return false;
  r->refs++;
  return true;
}
static inline bool refcount_dec_and_test(refcount_t *r) { return --r->refs == 0; }

/* lock: in the sequential differential it is always free when taken; in the
 * interleaved one a CPU that finds it held yields "spin_wait" (ctx_main.c) */
#define DEFINE_RAW_SPINLOCK(name) raw_spinlock_t name = {0}
void ctxsw_spin_lock(raw_spinlock_t *l);
void ctxsw_spin_unlock(raw_spinlock_t *l);
#define raw_spin_lock_irqsave(l, flags) \
  do {                                  \
    (flags) = 0;                        \
    ctxsw_spin_lock(l);                 \
  } while (0)
#define raw_spin_unlock_irqrestore(l, flags) \
  do {                                       \
    (void)(flags);                           \
    ctxsw_spin_unlock(l);                    \
  } while (0)

/* bitmaps (non-atomic; only touched under cpu_asid_lock) */
static inline void __set_bit(unsigned long nr, unsigned long *map) { map[nr / 64] |= 1UL << (nr % 64); }
static inline void __clear_bit(unsigned long nr, unsigned long *map) { map[nr / 64] &= ~(1UL << (nr % 64)); }
static inline bool test_bit(unsigned long nr, const unsigned long *map) { return (map[nr / 64] >> (nr % 64)) & 1; }
static inline bool __test_and_set_bit(unsigned long nr, unsigned long *map) {
  bool o = test_bit(nr, map);
  __set_bit(nr, map);
  return o;
}
static inline unsigned long find_next_zero_bit(const unsigned long *map, unsigned long size, unsigned long off) {
  for (unsigned long i = off; i < size; i++)
    if (!test_bit(i, map)) return i;
  return size;
}
static inline void bitmap_copy(unsigned long *dst, const unsigned long *src, unsigned int n) {
  memcpy(dst, src, BITS_TO_LONGS(n) * sizeof(long));
}
static inline void bitmap_clear(unsigned long *map, unsigned int start, unsigned int n) {
  for (unsigned i = start; i < start + n; i++) __clear_bit(i, map);
}
static inline unsigned long *bitmap_zalloc(unsigned int n, int gfp) {
  (void)gfp;
  return calloc(BITS_TO_LONGS(n) + 1, sizeof(long));
}

/* cpumask */
typedef struct {
  unsigned long bits[1];
} cpumask_t;
static inline void cpumask_setall(cpumask_t *m) {
  ctxsw_yield("cpumask_setall", m);
  m->bits[0] = (1UL << ctxsw_nr_cpus) - 1;
}
static inline bool cpumask_test_and_clear_cpu(int cpu, cpumask_t *m) {
  ctxsw_yield("cpumask_test_and_clear_cpu", m);
  bool o = (m->bits[0] >> cpu) & 1;
  m->bits[0] &= ~(1UL << cpu);
  return o;
}

/* initcalls: callable hooks */
#define early_initcall(fn) int (*ctxsw_early_initcall)(void) = fn
#define arch_initcall(fn) int (*ctxsw_arch_initcall)(void) = fn

/* system registers: the real instructions (trapped under qemu user mode) */
#define __stringify_1(x) #x
#define __stringify(x) __stringify_1(x)
#define read_sysreg(r)                                   \
  ({                                                     \
    u64 __v;                                             \
    asm volatile("mrs %0, " __stringify(r) : "=r"(__v)); \
    __v;                                                 \
  })
#define write_sysreg(v, r)                                     \
  do {                                                         \
    u64 __v = (u64)(v);                                        \
    ctxsw_yield("msr_" __stringify(r), NULL);                  \
    asm volatile("msr " __stringify(r) ", %x0" : : "rZ"(__v)); \
  } while (0)
#define isb() asm volatile("isb" : : : "memory")
#define ID_AA64MMFR0_EL1 0
#define ID_AA64MMFR0_EL1_ASIDBITS_SHIFT 4
#define ID_AA64MMFR0_EL1_ASIDBITS_8 0
#define ID_AA64MMFR0_EL1_ASIDBITS_16 2
#define read_cpuid(reg) (ctxsw_mmfr0) /* the sanitised qemu value has no ASID width: supplied */
static inline unsigned cpuid_feature_extract_unsigned_field(u64 f, int shift) { return (unsigned)(f >> shift) & 0xf; }

/* cpufeatures */
#define arm64_kernel_unmapped_at_el0() (ctxsw_kpti != 0)
#define system_supports_cnp() (ctxsw_cnp != 0)
#define system_uses_ttbr0_pan() false
#define arm64_apply_bp_hardening() \
  do {                             \
  } while (0)

/* TTBRs */
#define TTBR_ASID_MASK (0xffffUL << 48)
#define TTBR_CNP_BIT 1UL
#define FIELD_PREP(mask, val) (((u64)(val) << __builtin_ctzll(mask)) & (mask))
#define phys_to_ttbr(pa) ((u64)(pa))

/* mm */
typedef struct {
  atomic64_t id;
  refcount_t pinned;
} mm_context_t;
struct mm_struct {
  pgd_t *pgd;
  mm_context_t context;
};
#define ASID(mm) ((u64)atomic64_read(&(mm)->context.id) & 0xffff)
#define virt_to_phys(p) ((u64)(uintptr_t)(p))

void cpu_do_switch_mm(phys_addr_t pgd_phys, struct mm_struct *mm);
void check_and_switch_context(struct mm_struct *mm);
unsigned long arm64_mm_context_get(struct mm_struct *mm);
void arm64_mm_context_put(struct mm_struct *mm);

/* arch/arm64/include/asm/mmu_context.h and tlbflush.h, as 6.1 defines them */
static inline void cpu_set_reserved_ttbr0(void) {
  write_sysreg(phys_to_ttbr(ctxsw_reserved_pg_dir_pa), ttbr0_el1);
  isb();
}
static inline void cpu_switch_mm(pgd_t *pgd, struct mm_struct *mm) {
  cpu_set_reserved_ttbr0();
  cpu_do_switch_mm(virt_to_phys(pgd), mm);
}
static inline void local_flush_tlb_all(void) {
  ctxsw_yield("tlbi_vmalle1", NULL);
  asm volatile("dsb nshst\n\ttlbi vmalle1\n\tdsb nsh\n\tisb" : : : "memory");
}

#endif
