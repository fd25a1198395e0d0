// SPDX-License-Identifier: GPL-2.0-only
//
// A model instance is fixed by a configuration (SPEC §1). Index layout:
//   tasks: [0, cpus) are the idle threads swapper/N, then the named tasks,
//          then `fork_slots` unborn user-task slots that fork may fill;
//   mms:   0 is init_mm, then the named address spaces, then `fork_slots`
//          unborn mm slots that a process fork may fill.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ctxsw/model/mutant.h"

namespace ctxsw {

enum class TaskKind : uint8_t { idle, kthread, user };

struct TaskSpec {
  std::string name;
  TaskKind kind = TaskKind::user;
  uint8_t mm = 0xff;  // user tasks: index into Config::mm_names (+1 for init_mm); others: none
  bool born = true;   // false for fork slots
};

struct Config {
  int cpus = 2;
  int asid_bits = 2;

  // Named address spaces; mm index i+1 is mm_names[i]. Fork slots append "fork<k>".
  std::vector<std::string> mm_names;
  std::vector<TaskSpec> tasks;  // full list, idle threads first (see finalize())

  // Environment actions (SPEC §3)
  bool exit = true;             // exit_mm + do_exit of user tasks
  int fork_slots = 0;           // how many tasks fork may create (each may need a new mm)
  bool kthread_use_mm = false;  // kthread_use_mm / kthread_unuse_mm by kernel threads
  bool tlb_fills = true;        // speculative walks / user accesses fill TLBs
  bool preempt_idle = true;     // idle may be picked again (always true in the kernel)

  // Optional kernel features
  bool pinned = false;  // arm64_mm_context_get/put (SVA)
  bool kpti = false;    // arm64_kernel_unmapped_at_el0(): ASIDs in even/odd pairs
  bool cnp = false;     // system_supports_cnp(): one TLB shared by all CPUs

  Mutant mutant = Mutant::none;
  bool allow_unsafe = false;         // explore configurations the kernel forbids
  bool renumber_generations = true;  // SPEC §2 abstraction (off only for its own test)

  // Derived by finalize()
  int nr_tasks() const { return static_cast<int>(tasks.size()); }
  int nr_mms() const { return static_cast<int>(mm_names.size()) + 1; }
  int num_user_asids() const { return 1 << asid_bits; }  // NUM_USER_ASIDS
  long max_pinned_asids() const;                         // asids_update_limit()
  std::string task_name(int t) const;
  std::string mm_name(int m) const;
};

// The default configuration of `ctxsw check` (README, issue 2/3).
Config default_config();

// Adds the idle threads and fork slots to a config whose user/kernel tasks
// have been listed, and validates it. Returns an empty string or a one-line
// error naming the problem (the kernel's reason where the kernel forbids it).
std::string finalize(Config &cfg);

// Re-validates an already finalized config (used after edits such as --mutant).
std::string validate(const Config &cfg);

}  // namespace ctxsw
