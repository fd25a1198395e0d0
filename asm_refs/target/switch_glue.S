/* SPDX-License-Identifier: GPL-2.0-only */
/* The harness's own assembly around the extracted cpu_switch_to body. */
#include "switch_shim.h"

	.text
/* the kernel's body, extracted at run time into the cache directory */
#include "cpu_switch_to.body.S"

/*
 * void checked_switch(struct task *prev, struct task *next, uint64_t expect[14])
 * Loads x19..x29 and x18 with expect[0..11] (fresh random values), records
 * the sp and lr it calls cpu_switch_to with into expect[12..13], calls it,
 * and when some later switch resumes this frame, records the registers it
 * was resumed with in g_rec before restoring the C caller's registers.
 */
	.globl	checked_switch
	.type	checked_switch, %function
	.balign	16
checked_switch:
	stp	x29, x30, [sp, #-112]!
	mov	x29, sp
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	str	x18, [sp, #96]
	mov	x9, sp
	str	x9, [x2, #96]
	adr	x9, 1f
	str	x9, [x2, #104]
	ldp	x19, x20, [x2, #0]
	ldp	x21, x22, [x2, #16]
	ldp	x23, x24, [x2, #32]
	ldp	x25, x26, [x2, #48]
	ldp	x27, x28, [x2, #64]
	ldp	x29, x18, [x2, #80]
	bl	cpu_switch_to
1:	adrp	x9, g_rec
	add	x9, x9, :lo12:g_rec
	stp	x19, x20, [x9, #0]
	stp	x21, x22, [x9, #16]
	stp	x23, x24, [x9, #32]
	stp	x25, x26, [x9, #48]
	stp	x27, x28, [x9, #64]
	stp	x29, x18, [x9, #80]
	mov	x10, sp
	stp	x10, x30, [x9, #96]
	str	x0, [x9, #112]
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldr	x18, [sp, #96]
	ldp	x29, x30, [sp], #112
	ret
	.size	checked_switch, . - checked_switch

/* g_rec = { x19..x28, x29, x18, sp, x30 (the lr resumed with), x0 } */

/* the pc of a task that has never run: record, then task_fresh() (no return) */
	.globl	fresh_entry
	.type	fresh_entry, %function
	.balign	16
fresh_entry:
	adrp	x9, g_rec
	add	x9, x9, :lo12:g_rec
	stp	x19, x20, [x9, #0]
	stp	x21, x22, [x9, #16]
	stp	x23, x24, [x9, #32]
	stp	x25, x26, [x9, #48]
	stp	x27, x28, [x9, #64]
	stp	x29, x18, [x9, #80]
	mov	x10, sp
	adr	x11, fresh_entry
	cmp	x30, x11
	csel	x11, x11, xzr, eq
	stp	x10, x11, [x9, #96]
	str	x0, [x9, #112]
	mov	x29, #0
	bl	task_fresh
	brk	#1
	.size	fresh_entry, . - fresh_entry

/* void harness_swap(uint64_t *save, const uint64_t *load): the harness's own
 * coroutine switch between the driver and the emulated CPUs (not the kernel's) */
	.globl	harness_swap
	.type	harness_swap, %function
	.balign	16
harness_swap:
	stp	x19, x20, [x0, #0]
	stp	x21, x22, [x0, #16]
	stp	x23, x24, [x0, #32]
	stp	x25, x26, [x0, #48]
	stp	x27, x28, [x0, #64]
	stp	x29, x30, [x0, #80]
	mov	x9, sp
	str	x9, [x0, #96]
	stp	d8, d9, [x0, #104]
	stp	d10, d11, [x0, #120]
	stp	d12, d13, [x0, #136]
	stp	d14, d15, [x0, #152]
	ldp	x19, x20, [x1, #0]
	ldp	x21, x22, [x1, #16]
	ldp	x23, x24, [x1, #32]
	ldp	x25, x26, [x1, #48]
	ldp	x27, x28, [x1, #64]
	ldp	x29, x30, [x1, #80]
	ldr	x9, [x1, #96]
	mov	sp, x9
	ldp	d8, d9, [x1, #104]
	ldp	d10, d11, [x1, #120]
	ldp	d12, d13, [x1, #136]
	ldp	d14, d15, [x1, #152]
	ret
	.size	harness_swap, . - harness_swap

/* first entry of an emulated CPU's coroutine: cpu_boot(x19) */
	.globl	cpu_boot_tramp
	.type	cpu_boot_tramp, %function
cpu_boot_tramp:
	mov	x0, x19
	mov	x29, #0
	bl	cpu_boot
	brk	#2
	.size	cpu_boot_tramp, . - cpu_boot_tramp
