// SPDX-License-Identifier: GPL-2.0-only
#include "ctxsw/model/mutant.h"

#include <array>

namespace ctxsw {
namespace {

constexpr std::array<MutantInfo, 13> kMutants{{
    {Mutant::none, "none", "the Linux 6.1 code", "", ""},
    {Mutant::fastpath_xchg, "fastpath_xchg",
     "before a8ffaaa060b8: fast path does an unconditional atomic64_xchg_relaxed(active_asids) "
     "after the generation check",
     "asid.unique_in_generation,tlb.no_stale_alias,asid.reserved_respected,ttbr.matches_current", ""},
    {Mutant::flush_forgets_reserved, "flush_forgets_reserved",
     "before ae120d9edfe9: flush_context() lacks `if (asid == 0) asid = reserved_asids`",
     "asid.reserved_respected,tlb.no_stale_alias,asid.unique_in_generation,ttbr.matches_current", ""},
    {Mutant::cnp_no_reserved_ttbr0, "cnp_no_reserved_ttbr0",
     "before 5ffdfaedfa0a: with CnP, check_and_switch_context() does not install the reserved "
     "TTBR0 first",
     "tlb.no_stale_alias", "cnp"},
    {Mutant::switch_to_two_args, "switch_to_two_args",
     "finish_task_switch() acts on the resumed task's stale local prev instead of last",
     "switch.last_is_previous,sched.single_cpu", ""},
    {Mutant::no_mmgrab_user_to_kernel, "no_mmgrab_user_to_kernel",
     "user->kernel switch borrows active_mm without mmgrab()", "mm.no_use_after_free,mm.count_exact", ""},
    {Mutant::drop_in_context_switch, "drop_in_context_switch",
     "kernel->user drops the borrowed mm before switch_to() instead of in finish_task_switch()",
     "mm.no_use_after_free,mm.count_exact", ""},
    {Mutant::kernel_to_kernel_grab, "kernel_to_kernel_grab",
     "kernel->kernel grabs active_mm again instead of transferring it", "mm.no_leak,mm.count_exact", ""},
    {Mutant::reserved_check_breaks_early, "reserved_check_breaks_early",
     "check_update_reserved_asid() stops at the first matching CPU",
     "ttbr.matches_current,asid.unique_in_generation,asid.reserved_respected,tlb.no_stale_alias", ""},
    {Mutant::fastpath_plain_store, "fastpath_plain_store",
     "fast path writes active_asids with a plain store after its load instead of cmpxchg",
     "tlb.no_stale_alias,asid.unique_in_generation,asid.reserved_respected,ttbr.matches_current", ""},
    {Mutant::skip_pending_flush, "skip_pending_flush", "tlb_flush_pending is cleared without local_flush_tlb_all()",
     "tlb.no_stale_alias", ""},
    {Mutant::reuse_without_bitmap, "reuse_without_bitmap",
     "new_context() re-uses the old ASID without __test_and_set_bit()", "asid.unique_in_generation,tlb.no_stale_alias",
     ""},
    {Mutant::alloc_from_zero, "alloc_from_zero", "the allocator may hand out ASID #0 (search starts at 0)",
     "ttbr.matches_current", ""},
}};

}  // namespace

const MutantInfo &mutant_info(Mutant m) { return kMutants[static_cast<size_t>(m)]; }

std::optional<Mutant> mutant_by_name(std::string_view name) {
  for (const MutantInfo &i : kMutants)
    if (i.name == name) return i.id;
  return std::nullopt;
}

std::span<const MutantInfo> all_mutants() { return std::span(kMutants).subspan(1); }

}  // namespace ctxsw
