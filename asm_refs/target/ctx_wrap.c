/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's arch/arm64/mm/context.c (extracted into the build directory,
 * unmodified) plus accessors to its file-scope state for the harness. The
 * function-static cur_idx of new_context() is found by its assembler symbol
 * (build.cpp appends `ctxsw_cur_idx_ptr` to this file's assembly).
 */
#include "context.c"

void ctxsw_ctx_set_asid_bits(u32 b) { asid_bits = b; }
u64 ctxsw_ctx_generation(void) { return (u64)asid_generation.counter; }
unsigned long *ctxsw_ctx_asid_map(void) { return asid_map; }
unsigned long *ctxsw_ctx_pinned_map(void) { return pinned_asid_map; }
u64 ctxsw_ctx_active(int c) { return (u64)active_asids[c].counter; }
u64 ctxsw_ctx_reserved(int c) { return reserved_asids[c]; }
unsigned long ctxsw_ctx_pending(void) { return tlb_flush_pending.bits[0]; }
unsigned long ctxsw_ctx_nr_pinned(void) { return nr_pinned_asids; }
const volatile void *ctxsw_ctx_active_ptr(int c) { return &active_asids[c]; }
const volatile void *ctxsw_ctx_generation_ptr(void) { return &asid_generation; }
const volatile void *ctxsw_ctx_lock_ptr(void) { return &cpu_asid_lock; }
const volatile void *ctxsw_ctx_pending_ptr(void) { return &tlb_flush_pending; }
int ctxsw_ctx_lock_owner(void) { return cpu_asid_lock.locked; } /* CPU + 1, 0: free */
void ctxsw_ctx_reset(void) {
  free(asid_map);
  free(pinned_asid_map);
  asid_map = pinned_asid_map = NULL;
  asid_bits = 0;
  asid_generation.counter = 0;
  memset(active_asids, 0, sizeof active_asids);
  memset(reserved_asids, 0, sizeof reserved_asids);
  memset(&tlb_flush_pending, 0, sizeof tlb_flush_pending);
  max_pinned_asids = nr_pinned_asids = 0;
  cpu_asid_lock.locked = 0;
}
