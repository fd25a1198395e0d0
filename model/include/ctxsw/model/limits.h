// SPDX-License-Identifier: GPL-2.0-only
//
// Capacities of the explicit-state model. A configuration larger than these
// is refused by config validation with a one-line message, never truncated.
#pragma once

#include <cstdint>

namespace ctxsw {

inline constexpr int kMaxCpus = 4;           // SPEC §1: C is 1–4
inline constexpr int kMaxTasks = 12;         // idle threads + user tasks + kthreads + fork slots
inline constexpr int kMaxMms = 8;            // init_mm + user address spaces (incl. fork slots)
inline constexpr int kMaxModelAsidBits = 8;  // asid_map is a bitset in the state; 16 is for `ctxsw prove`
inline constexpr int kMaxAsids = 1 << kMaxModelAsidBits;
inline constexpr int kTlbCapacity = 8;  // distinct (ASID, mm) entries one TLB can hold in the model

inline constexpr uint8_t kNone = 0xff;         // "no task", "no mm" (NULL)
inline constexpr uint8_t kInitMm = 0;          // mm index 0 is &init_mm, permanent
inline constexpr uint8_t kReservedPgd = 0xfe;  // TTBR0 points at reserved_pg_dir
inline constexpr uint8_t kFreedMm = 0xfd;      // TLB tag: an mm that has been freed

}  // namespace ctxsw
