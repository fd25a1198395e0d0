/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The user-space shim around the kernel's cpu_switch_to body: the task
 * layout offsets (checked against struct task in switch_main.c with static
 * asserts) and the assembler macros the body uses, written for this harness.
 * CTXSW_PTRAUTH / CTXSW_SCS select the features configured in.
 */
#ifndef CTXSW_SWITCH_SHIM_H
#define CTXSW_SWITCH_SHIM_H

#define TSK_TI_SCS_SP 16        /* offsetof(struct task, scs_sp) */
#define THREAD_CPU_CONTEXT 1024 /* offsetof(struct task, cpu_context) */
#define THREAD_KEYS_KERNEL 1152 /* offsetof(struct task, keys_kernel) */

#ifdef __ASSEMBLER__
#define SYM_FUNC_START(name) \
  .globl name;               \
  .type name, % function;    \
  .balign 16;                \
  name:
#define SYM_FUNC_END(name) .size name, .- name
#define SYM_CODE_START(name) SYM_FUNC_START(name)
#define SYM_CODE_END(name) SYM_FUNC_END(name)
#define ENTRY(name) SYM_FUNC_START(name)
#define ENDPROC(name) SYM_FUNC_END(name)
#define NOKPROBE(name)

/* clang-format off */
	.macro	save_and_disable_daif, flags
	mrs	\flags, daif
	msr	daifset, #0xf
	.endm

	.macro	disable_daif
	msr	daifset, #0xf
	.endm

	.macro	restore_irq, flags
	msr	daif, \flags
	.endm

	.macro	get_current_task, rd
	mrs	\rd, sp_el0
	.endm

	/* install the task's kernel APIA key (APIAKEYLO_EL1 = s3_0_c2_c1_0, HI = s3_0_c2_c1_1) */
	.macro	ptrauth_keys_install_kernel_nosync tsk, tmp1, tmp2, tmp3
#ifdef CTXSW_PTRAUTH
	mov	\tmp1, #THREAD_KEYS_KERNEL
	add	\tmp1, \tsk, \tmp1
	ldp	\tmp2, \tmp3, [\tmp1]
	msr	s3_0_c2_c1_0, \tmp2
	msr	s3_0_c2_c1_1, \tmp3
#endif
	.endm

	.macro	ptrauth_keys_install_kernel tsk, tmp1, tmp2, tmp3
	ptrauth_keys_install_kernel_nosync \tsk, \tmp1, \tmp2, \tmp3
#ifdef CTXSW_PTRAUTH
	isb
#endif
	.endm

	.macro	scs_save tsk
#ifdef CTXSW_SCS
	str	x18, [\tsk, #TSK_TI_SCS_SP]
#endif
	.endm

	.macro	scs_load_current
#ifdef CTXSW_SCS
	mrs	x18, sp_el0
	ldr	x18, [x18, #TSK_TI_SCS_SP]
#endif
	.endm
/* clang-format on */
#endif /* __ASSEMBLER__ */
#endif
