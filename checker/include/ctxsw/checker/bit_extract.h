// SPDX-License-Identifier: GPL-2.0-only
//
// Parallel bit extract and deposit (x86 BMI2's PEXT and PDEP):
//   extract(x, m): the bits of x where m has ones, packed to the low end;
//   deposit(x, m): the low bits of x spread to where m has ones.
// The packed state records (ctxsw_system.cpp) are written with them: one
// extract packs up to eight byte-sized fields of State at once.
//
// The *_soft forms are portable loops, one iteration per bit of m; the
// *_bmi2 forms are the instructions, to be called only when have_bmi2()
// (elsewhere they are the loops).
#pragma once

#include <cstdint>

namespace ctxsw::checker {

inline uint64_t extract_soft(uint64_t x, uint64_t m) {
  uint64_t r = 0;
  for (uint64_t out = 1; m; m &= m - 1, out <<= 1)
    if (x & m & -m) r |= out;
  return r;
}

inline uint64_t deposit_soft(uint64_t x, uint64_t m) {
  uint64_t r = 0;
  for (uint64_t in = 1; m; m &= m - 1, in <<= 1)
    if (x & in) r |= m & -m;
  return r;
}

#if defined(__x86_64__)
// Inline assembly rather than the intrinsics, which need the whole calling
// function compiled for BMI2 (Debian's x86-64 baseline has no BMI2).
inline uint64_t extract_bmi2(uint64_t x, uint64_t m) {
  uint64_t r;
  asm("pextq %2, %1, %0" : "=r"(r) : "r"(x), "rm"(m));
  return r;
}
inline uint64_t deposit_bmi2(uint64_t x, uint64_t m) {
  uint64_t r;
  asm("pdepq %2, %1, %0" : "=r"(r) : "r"(x), "rm"(m));
  return r;
}
// AMD's Zen 1 and 2 run PEXT and PDEP as microcode (hundreds of cycles):
// there the loops are faster.
inline bool have_bmi2() {
  return __builtin_cpu_supports("bmi2") && !__builtin_cpu_is("znver1") && !__builtin_cpu_is("znver2");
}
#else
inline uint64_t extract_bmi2(uint64_t x, uint64_t m) { return extract_soft(x, m); }
inline uint64_t deposit_bmi2(uint64_t x, uint64_t m) { return deposit_soft(x, m); }
inline bool have_bmi2() { return false; }
#endif

}  // namespace ctxsw::checker
