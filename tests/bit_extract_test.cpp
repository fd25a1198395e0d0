// SPDX-License-Identifier: GPL-2.0-only
//
// Bit extract and deposit (checker/include/ctxsw/checker/bit_extract.h),
// which pack and unpack every stored state: the portable loops against the
// definition bit by bit, and the BMI2 instructions against the loops.
#include "ctxsw/checker/bit_extract.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <bit>

namespace ctxsw::checker {
namespace {

// The definition: the k-th set bit of m, from the low end, is bit k of the
// extract; deposit puts bit k back there.
uint64_t extract_by_definition(uint64_t x, uint64_t m) {
  uint64_t r = 0;
  for (int i = 0, k = 0; i < 64; i++)
    if (m >> i & 1) r |= (x >> i & 1) << k++;
  return r;
}
uint64_t deposit_by_definition(uint64_t x, uint64_t m) {
  uint64_t r = 0;
  for (int i = 0, k = 0; i < 64; i++)
    if (m >> i & 1) r |= (x >> k++ & 1) << i;
  return r;
}

TEST(BitExtract, Examples) {
  EXPECT_EQ(extract_soft(0xabcd, 0xff00), 0xabu);
  EXPECT_EQ(extract_soft(0b1011'0110, 0b1100'0011), 0b1010u);
  EXPECT_EQ(deposit_soft(0b1010, 0b1100'0011), 0b1000'0010u);
  EXPECT_EQ(extract_soft(~uint64_t{0}, 0), 0u);
  EXPECT_EQ(extract_soft(0x8000000000000001ull, ~uint64_t{0}), 0x8000000000000001ull);
  EXPECT_EQ(deposit_soft(~uint64_t{0}, 0x8000000000000001ull), 0x8000000000000001ull);
}

RC_GTEST_PROP(BitExtract, PortableLoopsAreTheDefinition, (uint64_t x, uint64_t m)) {
  RC_ASSERT(extract_soft(x, m) == extract_by_definition(x, m));
  RC_ASSERT(deposit_soft(x, m) == deposit_by_definition(x, m));
  const int n = std::popcount(m);
  const uint64_t low = n == 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
  RC_ASSERT(extract_soft(deposit_soft(x, m), m) == (x & low));
}

TEST(BitExtract, InstructionsAreTheLoops) {
  if (!have_bmi2()) GTEST_SKIP() << "no fast BMI2 on this CPU: records are packed with the loops only";
  EXPECT_TRUE(rc::check("pext/pdep equal the loops", [](uint64_t x, uint64_t m) {
    RC_ASSERT(extract_bmi2(x, m) == extract_soft(x, m));
    RC_ASSERT(deposit_bmi2(x, m) == deposit_soft(x, m));
  }));
}

}  // namespace
}  // namespace ctxsw::checker
