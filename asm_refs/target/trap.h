/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * EL1 system-register emulation for code running at EL0 under qemu-aarch64.
 * The EL1-only instructions raise SIGILL with pc at the instruction; the
 * handler decodes MRS/MSR/MSR-immediate/SYS, updates a shadow register file
 * of the emulated CPU `ctxsw_cpu` and advances pc.
 */
#ifndef CTXSW_TRAP_H
#define CTXSW_TRAP_H
#include <stdint.h>

#define CTXSW_MAX_CPUS 4

struct shadow_cpu {
  uint64_t sp_el0;
  uint64_t daif;
  uint64_t ttbr0, ttbr1;
  uint64_t keys[10]; /* APIA lo/hi, APIB, APDA, APDB, APGA */
  uint64_t tlbi;     /* number of trapped TLBI instructions */
  uint64_t ic;       /* number of trapped IC instructions */
  /* DAIF at the last MSR SP_EL0, and how many MSR SP_EL0 executed */
  uint64_t daif_at_sp_el0_write;
  uint64_t sp_el0_writes;
};

extern struct shadow_cpu ctxsw_shadow[CTXSW_MAX_CPUS];
extern int ctxsw_cpu; /* the emulated CPU executing now */

/* Installs the SIGILL handler (on an alternate stack) and crash handlers
 * that print "X signal=N pc=ADDR" and exit 3. */
void ctxsw_trap_init(void);
/* Reads one line from stdin into buf (without newline); 0 at EOF. */
int ctxsw_read_line(char *buf, int size);

#endif
