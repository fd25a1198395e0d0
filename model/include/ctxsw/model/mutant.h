// SPDX-License-Identifier: GPL-2.0-only
//
// Named mutants (SPEC §5): each one is a small change of the kind that really
// happens, selected at configuration time. Mutant::none is the 6.1 code.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace ctxsw {

enum class Mutant {
  none,
  // historical bugs (the code before the fix commit)
  fastpath_xchg,           // before a8ffaaa060b8
  flush_forgets_reserved,  // before ae120d9edfe9 (arch/arm)
  cnp_no_reserved_ttbr0,   // before 5ffdfaedfa0a
  switch_to_two_args,      // finish_task_switch(prev) with the stale local prev
  // seeded bugs
  no_mmgrab_user_to_kernel,
  drop_in_context_switch,
  kernel_to_kernel_grab,
  reserved_check_breaks_early,
  fastpath_plain_store,
  skip_pending_flush,
  reuse_without_bitmap,
  alloc_from_zero,
};

struct MutantInfo {
  Mutant id;
  std::string_view name;
  std::string_view change;    // one line: what the mutant changes
  std::string_view expected;  // property names (comma separated) SPEC §5 expects broken
  std::string_view needs;     // configuration the mutant needs to be observable ("" = any)
};

const MutantInfo &mutant_info(Mutant m);
std::optional<Mutant> mutant_by_name(std::string_view name);
// All mutants except Mutant::none, in SPEC order.
std::span<const MutantInfo> all_mutants();

}  // namespace ctxsw
