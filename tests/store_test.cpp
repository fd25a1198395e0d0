// SPDX-License-Identifier: GPL-2.0-only
//
// The explorer and its state store on a system built to overflow them: one
// level brings 40,000 new states from 256 parents, far beyond what the state
// table and the component tables reserve before a level (visited_set.h).
// Candidates that find a table full are set aside and inserted serially
// after the level (Insert::full, and StateStore::resolve() failing on a full
// component table); the model's configurations never get there in the tests.
// The counts, the numbering of states and the counterexample must still be
// those of a serial breadth-first search, for any number of workers.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ctxsw/checker/explorer.h"

namespace ctxsw::checker {
namespace {

// States (depth, value): from (0, 0) to (1, i), i < 256; from (1, v) to
// (2, (256 v + i) mod 40000). Level 2 therefore holds every value below
// 40000, each first reached from parent v = x / 256 by its successor i =
// x % 256, so that breadth-first order numbers (2, x) as 257 + x. The record
// is two 4-byte components (value, depth), interned separately.
struct FanOut {
  struct State {
    uint32_t value = 0, depth = 0;
    friend bool operator==(const State &, const State &) = default;
  };
  using Label = uint32_t;  // the successor's index i
  static constexpr uint32_t kValues = 40000;

  uint32_t bad_value = ~0u;  // the invariant fails at (2, bad_value)

  size_t packed_bytes() const { return 8; }
  std::vector<size_t> component_bytes() const { return {4, 4}; }
  void pack(const State &s, uint8_t *out) const {
    std::memcpy(out, &s.value, 4);
    std::memcpy(out + 4, &s.depth, 4);
  }
  void unpack(const uint8_t *in, State &s) const {
    std::memcpy(&s.value, in, 4);
    std::memcpy(&s.depth, in + 4, 4);
  }
  std::vector<State> initial_states() const { return {State{}}; }
  template <class F>
  void successors(const State &s, F &&f) const {
    if (s.depth >= 2) return;
    for (uint32_t i = 0; i < 256; i++) {
      State n{s.depth == 0 ? i : (256 * s.value + i) % kValues, s.depth + 1};
      f(i, n);
    }
  }
  size_t num_invariants() const { return 1; }
  std::string check(size_t, const State &s) const {
    return s.depth == 2 && s.value == bad_value ? "bad value reached" : "";
  }
  bool check_deadlock() const { return false; }
  bool quiescent(const State &) const { return true; }
  void concretize(std::vector<State> &, std::vector<Label> &) const {}
};

class StoreOverflow : public ::testing::TestWithParam<unsigned> {};

TEST_P(StoreOverflow, SerialFiguresWhenTablesFillWithinALevel) {
  FanOut sys;
  Limits lim;
  lim.workers = GetParam();
  auto r = explore(sys, lim);
  EXPECT_EQ(r.verdict, Verdict::holds);
  EXPECT_EQ(r.states, 1u + 256u + FanOut::kValues);
  EXPECT_EQ(r.transitions, 256u + 256u * 256u);
  EXPECT_EQ(r.depth, 2);
  EXPECT_EQ(r.states_per_level, (std::vector<uint64_t>{1, 256, FanOut::kValues}));
}

TEST_P(StoreOverflow, CounterexampleIsTheFirstPathInBreadthFirstOrder) {
  FanOut sys;
  sys.bad_value = 39999;  // = 256 * 156 + 63: first reached from (1, 156) by successor 63
  Limits lim;
  lim.workers = GetParam();
  auto r = explore(sys, lim);
  ASSERT_EQ(r.verdict, Verdict::violated);
  ASSERT_EQ(r.trace_states.size(), 3u);
  EXPECT_EQ(r.trace_states[1], (FanOut::State{156, 1}));
  EXPECT_EQ(r.trace_states[2], (FanOut::State{39999, 2}));
  EXPECT_EQ(r.trace_labels, (std::vector<uint32_t>{156, 63}));
  // A serial search stops as soon as it makes (2, 39999): 257 states before
  // level 2, then the values 0..39999 in order.
  EXPECT_EQ(r.states, 257u + 40000u);
  EXPECT_EQ(r.transitions, 256u + 156u * 256u + 64u);
}

INSTANTIATE_TEST_SUITE_P(Workers, StoreOverflow, ::testing::Values(1u, 2u, 3u));

// equal_bytes() compares every record and component: equal copies are equal,
// and a difference at any position is seen, for every width up to 40 bytes
// and every alignment.
TEST(StateStore, EqualBytesIsMemcmpForEveryWidthAndDifference) {
  std::vector<uint8_t> a(48), b(48);
  for (size_t i = 0; i < a.size(); i++) a[i] = b[i] = static_cast<uint8_t>(7 * i + 1);
  for (size_t off = 0; off < 8; off++)
    for (size_t w = 0; w <= 40; w++) {
      EXPECT_TRUE(equal_bytes(a.data() + off, b.data() + off, w)) << w;
      for (size_t at = 0; at < w; at++) {
        b[off + at] ^= 0x10;
        EXPECT_FALSE(equal_bytes(a.data() + off, b.data() + off, w)) << "width " << w << ", byte " << at;
        b[off + at] ^= 0x10;
      }
    }
}

// A level's pending states become committed ones, and no word of the table
// may still name the pending pool afterwards, even when the table grows
// before the next level (a growth used to place the last level's pool
// entries again, as pending: words naming entries the next level reuses,
// which ThreadSanitizer reported as a race between a comparison and the
// staging of a new state).
TEST(StateStore, NoPendingWordSurvivesACommitAndAGrowth) {
  StateStore store(8, {4, 4});
  uint8_t rec[8] = {};
  store.insert_committed(rec, 0, 0);
  StateStore::Cursor cur;
  std::vector<uint32_t> order;
  store.reset_pending();
  store.reserve_level(1);
  for (uint32_t v = 1; v <= 200; v++) {
    std::memcpy(rec, &v, 4);
    uint32_t pidx = 0;
    ASSERT_EQ(store.insert_pending(cur, rec, nullptr, nullptr, v, &pidx), StateStore::Insert::fresh);
    order.push_back(pidx);
  }
  store.flush(cur);
  EXPECT_EQ(store.pending_words(), 200u);
  store.commit(order);
  EXPECT_EQ(store.pending_words(), 0u);
  store.reserve_level(1u << 20);  // grows the table: re-places every word
  EXPECT_EQ(store.pending_words(), 0u);
  EXPECT_EQ(store.size(), 201u);
  // Each committed state is found as seen, not as a pending duplicate.
  store.reset_pending();
  for (uint32_t v = 0; v <= 200; v++) {
    std::memcpy(rec, &v, 4);
    uint32_t pidx = 0;
    EXPECT_EQ(store.insert_pending(cur, rec, nullptr, nullptr, 1000 + v, &pidx), StateStore::Insert::seen) << v;
  }
}

// Bitstate hashing (bit_filter.h) never forgets: every key added is
// contained, add() counts the bits it set, and the figures follow the bits.
TEST(BitFilter, AddedKeysAreContainedAndTheFiguresFollowTheBits) {
  BitFilter f(4096 + 63, 3);  // rounded down to 64 blocks
  EXPECT_EQ(f.bytes(), 4096u);
  EXPECT_EQ(f.figures().fill, 0.0);
  EXPECT_EQ(f.figures().false_positive_rate, 0.0);
  unsigned set = 0;
  for (uint32_t v = 0; v < 2000; v++) {
    const BitFilter::Key k = BitFilter::key(reinterpret_cast<const uint8_t *>(&v), 4);
    if (v < 50) {
      EXPECT_FALSE(f.contains(k)) << v;  // nearly empty: no false positive yet
    }
    const unsigned fresh = f.add(k);
    EXPECT_LE(fresh, 3u);
    EXPECT_EQ(f.add(k), 0u);
    set += fresh;
    EXPECT_TRUE(f.contains(k)) << v;
  }
  for (uint32_t v = 0; v < 2000; v++) EXPECT_TRUE(f.contains(BitFilter::key(reinterpret_cast<const uint8_t *>(&v), 4)));
  EXPECT_DOUBLE_EQ(f.figures().fill, set / (4096.0 * 8));
  EXPECT_GT(f.figures().false_positive_rate, 0.0);
  EXPECT_LT(f.figures().false_positive_rate, 1.0);
  EXPECT_THROW(BitFilter(63, 3), std::invalid_argument);
  EXPECT_THROW(BitFilter(64, 0), std::invalid_argument);
  EXPECT_THROW(BitFilter(64, BitFilter::kMaxHashes + 1), std::invalid_argument);
}

// The rate figures() predicts is the rate keys never added are taken as
// seen: a key's block and its bits within the block are spread independently
// (a poor remix of the key into bits would set few distinct bits and be
// taken as seen far more often than the fill predicts).
TEST(BitFilter, KeysNeverAddedAreTakenAsSeenAtThePredictedRate) {
  for (unsigned hashes : {1u, 3u, 7u}) {
    BitFilter f(64 * 64, hashes);
    for (uint32_t v = 0; v < 3000; v++) f.add(BitFilter::key(reinterpret_cast<const uint8_t *>(&v), 4));
    const double predicted = f.figures().false_positive_rate;
    unsigned seen = 0;
    constexpr uint32_t kProbes = 100000;
    for (uint32_t v = 1000000; v < 1000000 + kProbes; v++)
      seen += f.contains(BitFilter::key(reinterpret_cast<const uint8_t *>(&v), 4));
    const double observed = double(seen) / kProbes;
    EXPECT_GT(predicted, 0.001) << hashes;
    EXPECT_GT(observed, predicted * 0.8) << hashes;
    EXPECT_LT(observed, predicted * 1.25) << hashes;
  }
}

// Bitstate mode: forget_below() frees the roots of the states before a
// level, in whole arena blocks; their parent links come back from the file
// unchanged, and a forgotten state is seen through its bits.
TEST(StateStore, ForgottenStatesKeepTheirParentLinksAndAreSeenThroughTheirBits) {
  StateStore store(8, {4, 4});
  store.use_bitstate(1 << 20, 3);
  auto rec_of = [](uint32_t v) {
    std::array<uint8_t, 8> r{};
    std::memcpy(r.data(), &v, 4);
    return r;
  };
  constexpr uint32_t kStates = 3 * 4096 + 100;
  for (uint32_t v = 0; v < kStates; v++) {
    const auto r = rec_of(v);
    ASSERT_TRUE(store.insert_committed(r.data(), v / 2, v % 200).second);
  }
  store.forget_below(2 * 4096 + 10);
  EXPECT_FALSE(store.has_record(0));
  EXPECT_FALSE(store.has_record(2 * 4096 - 1));
  EXPECT_TRUE(store.has_record(2 * 4096));  // its block holds states still in the table
  EXPECT_TRUE(store.has_record(kStates - 1));
  EXPECT_EQ(store.reached(), kStates);
  EXPECT_EQ(store.table_used(), kStates - (2 * 4096 + 10));
  for (uint32_t v = 0; v < kStates; v++) {
    EXPECT_EQ(store.parent(v), v / 2) << v;
    EXPECT_EQ(store.ordinal(v), v % 200) << v;
  }
  StateStore::Cursor cur;
  store.reset_pending();
  store.reserve_level(10);
  for (uint32_t v : {0u, 4095u, 2 * 4096u + 9, 2 * 4096u + 10, kStates - 1}) {
    const auto r = rec_of(v);
    uint32_t pidx = 0;
    EXPECT_EQ(store.insert_pending(cur, r.data(), nullptr, nullptr, 7, &pidx), StateStore::Insert::seen) << v;
  }
  const auto fresh = rec_of(kStates);
  uint32_t pidx = 0;
  EXPECT_EQ(store.insert_pending(cur, fresh.data(), nullptr, nullptr, 7, &pidx), StateStore::Insert::fresh);
}

}  // namespace
}  // namespace ctxsw::checker
