/* SPDX-License-Identifier: GPL-2.0-only */
#include "trap.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

struct shadow_cpu ctxsw_shadow[CTXSW_MAX_CPUS];
int ctxsw_cpu;

/* sysreg field (op0:op1:CRn:CRm:op2) as in bits [20:5] of MRS/MSR */
#define SR(op0, op1, crn, crm, op2) (((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2))
#define SR_SP_EL0 SR(3, 0, 4, 1, 0)
#define SR_DAIF SR(3, 3, 4, 2, 1)
#define SR_TTBR0 SR(3, 0, 2, 0, 0)
#define SR_TTBR1 SR(3, 0, 2, 0, 1)
#define SR_KEY0 SR(3, 0, 2, 1, 0) /* APIAKEYLO_EL1; the ten key registers are consecutive in op2/CRm */

static int key_index(unsigned sr) {
  /* APIAKEYLO/HI = c2,c1,0/1; APIBKEY = c2,c1,2/3; APDAKEY = c2,c2,0/1; APDBKEY = c2,c2,2/3; APGAKEY = c2,c3,0/1 */
  if ((sr & ~0x1f) != (SR(3, 0, 2, 0, 0) & ~0x1f)) return -1;
  unsigned crm = (sr >> 3) & 0xf, op2 = sr & 7;
  if (crm < 1 || crm > 3 || op2 > 3) return -1;
  if (crm == 3 && op2 > 1) return -1;
  return (int)((crm - 1) * 4 + op2);
}

static void die(const char *what, uint64_t pc) {
  char buf[96];
  int n = snprintf(buf, sizeof buf, "X %s pc=%llx\n", what, (unsigned long long)pc);
  if (write(1, buf, (size_t)n) < 0) _exit(4);
  _exit(3);
}

static void on_sigill(int sig, siginfo_t *si, void *ucv) {
  (void)sig;
  (void)si;
  ucontext_t *uc = ucv;
  uint64_t *x = (uint64_t *)uc->uc_mcontext.regs;
  uint64_t pc = uc->uc_mcontext.pc;
  uint32_t insn = *(const uint32_t *)pc;
  struct shadow_cpu *c = &ctxsw_shadow[ctxsw_cpu];
  unsigned rt = insn & 31;
  unsigned sr = (insn >> 5) & 0xffff;
  if ((insn & 0xfff00000u) == 0xd5300000u) { /* MRS Xt, sysreg */
    uint64_t v;
    int k;
    if (sr == SR_SP_EL0)
      v = c->sp_el0;
    else if (sr == SR_DAIF)
      v = c->daif;
    else if (sr == SR_TTBR0)
      v = c->ttbr0;
    else if (sr == SR_TTBR1)
      v = c->ttbr1;
    else if ((k = key_index(sr)) >= 0)
      v = c->keys[k];
    else
      die("mrs-unknown-sysreg", pc);
    if (rt != 31) x[rt] = v;
  } else if ((insn & 0xfff00000u) == 0xd5100000u) { /* MSR sysreg, Xt */
    uint64_t v = rt == 31 ? 0 : x[rt];
    int k;
    if (sr == SR_SP_EL0) {
      c->sp_el0 = v;
      c->daif_at_sp_el0_write = c->daif;
      c->sp_el0_writes++;
    } else if (sr == SR_DAIF)
      c->daif = v & 0x3c0;
    else if (sr == SR_TTBR0)
      c->ttbr0 = v;
    else if (sr == SR_TTBR1)
      c->ttbr1 = v;
    else if ((k = key_index(sr)) >= 0)
      c->keys[k] = v;
    else
      die("msr-unknown-sysreg", pc);
  } else if ((insn & 0xfffff01fu) == 0xd503401fu) { /* MSR pstatefield, #imm */
    unsigned op1 = (insn >> 16) & 7, op2 = (insn >> 5) & 7, imm = (insn >> 8) & 0xf;
    if (op1 == 3 && op2 == 6)
      c->daif |= (uint64_t)imm << 6; /* DAIFSet */
    else if (op1 == 3 && op2 == 7)
      c->daif &= ~((uint64_t)imm << 6); /* DAIFClr */
    else
      die("msr-unknown-pstate", pc);
  } else if ((insn & 0xfff80000u) == 0xd5080000u) { /* SYS: TLBI (CRn=8), IC (CRn=7) */
    unsigned crn = (insn >> 12) & 0xf;
    if (crn == 8)
      c->tlbi++;
    else if (crn == 7)
      c->ic++;
    else
      die("sys-unknown", pc);
  } else {
    die("sigill", pc);
  }
  uc->uc_mcontext.pc = pc + 4;
}

static void on_crash(int sig, siginfo_t *si, void *ucv) {
  (void)si;
  ucontext_t *uc = ucv;
  char name[32];
  snprintf(name, sizeof name, "signal=%d", sig);
  die(name, uc->uc_mcontext.pc);
}

void ctxsw_trap_init(void) {
  static char altstack[1 << 16];
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
  sigaltstack(&ss, NULL);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_sigill;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGILL, &sa, NULL);
  sa.sa_sigaction = on_crash;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
  sigaction(SIGTRAP, &sa, NULL);
  sigaction(SIGFPE, &sa, NULL);
  setvbuf(stdout, NULL, _IOFBF, 1 << 16);
}

int ctxsw_read_line(char *buf, int size) {
  if (!fgets(buf, size, stdin)) return 0;
  size_t n = strlen(buf);
  if (n && buf[n - 1] == '\n') buf[n - 1] = 0;
  return 1;
}
