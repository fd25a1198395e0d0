// SPDX-License-Identifier: GPL-2.0-only
//
// ctxsw asm: the real AArch64 code (cpu_switch_to, context.c) under
// qemu-aarch64, checked against the model (asm_refs/, docs/asm_refs.md).
#include <iostream>
#include <memory>

#include "commands.h"
#include "ctxsw/asm/asm.h"
#include "options.h"

namespace ctxsw::cli {

void register_asm(CLI::App &app, int &status) {
  auto o = std::make_shared<asmref::AsmOptions>();
  CLI::App *cmd =
      app.add_subcommand("asm", "run the real cpu_switch_to and context.c under qemu-aarch64 against the model");
  cmd->add_option("--kernel-src", o->kernel_src,
                  "kernel tree (directory or linux-source tarball; default $KERNEL_SRC or "
                  "/usr/src/linux-source-6.1.tar.xz)");
  cmd->add_option("--runs", o->runs, "schedules per differential (cpu_switch_to, context.c sequential, interleaved)")
      ->check(positive_number());
  cmd->add_option("--seed", o->seed, "seed of the schedules and register values");
  cmd->add_option("--steps", o->steps, "model steps per schedule")->check(positive_number());
  cmd->add_flag("--only-switch", o->only_switch, "run only the cpu_switch_to differential");
  cmd->add_flag("--only-context", o->only_context,
                "run only the context.c differentials (sequential, then interleaved: one coroutine per CPU, "
                "switched at every shared access)");
  cmd->callback([o, &status] { status = asmref::run_asm(*o, std::cout, std::cerr); });
}

}  // namespace ctxsw::cli
