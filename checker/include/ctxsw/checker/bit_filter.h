// SPDX-License-Identifier: GPL-2.0-only
//
// Bitstate hashing (Holzmann's "supertrace", SPIN's -DBITSTATE): a state is
// remembered as `hashes` bits set in a fixed array, and a state whose bits
// are all set is taken as seen. Two states can share all their bits, so a
// search that relies on it may skip states: it is not exhaustive, and says
// so (expected_misses()). It never reports a state that was not reached.
//
// The array is blocked (as Putze, Sanders and Singler's cache-efficient
// Bloom filters): a state's bits all lie in one 64-byte block, so a lookup
// is one cache miss. A state's key is a 64-bit hash of its record: its
// leading bits choose the block, and the key remixed (murmur3's finalizer,
// a bijection) gives the bits, 9 bits each. Two states with the same key
// share their bits; with N states seen, a new one has that chance N / 2^64
// (below 2^-32 up to 2^32 states), far below the array's own rate.
#pragma once

#include <xxhash.h>

#include <atomic>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace ctxsw::checker {

class BitFilter {
 public:
  static constexpr size_t kBlockBytes = 64;
  static constexpr unsigned kMaxHashes = 7;  // 7 positions of 9 bits in 64

  // bytes: the array's size, rounded down to whole blocks (at least one).
  BitFilter(size_t bytes, unsigned hashes) : blocks_(bytes / kBlockBytes), hashes_(hashes) {
    if (blocks_ == 0) throw std::invalid_argument("bitstate: the bit array must hold at least 64 bytes");
    if (hashes < 1 || hashes > kMaxHashes)
      throw std::invalid_argument("bitstate: 1 to " + std::to_string(kMaxHashes) + " bits per state, not " +
                                  std::to_string(hashes));
    // calloc: pages the search never touches cost nothing.
    words_ = static_cast<uint64_t *>(std::calloc(blocks_, kBlockBytes));
    if (!words_) throw std::bad_alloc();
  }
  ~BitFilter() { std::free(words_); }
  BitFilter(const BitFilter &) = delete;
  BitFilter &operator=(const BitFilter &) = delete;

  using Key = uint64_t;
  static Key key(const uint8_t *v, size_t width) { return XXH3_64bits(v, width); }

  size_t bytes() const { return blocks_ * kBlockBytes; }
  unsigned hashes() const { return hashes_; }

  // Whether every bit of k is set. Thread-safe with other readers; adds run
  // between the levels of the search, never during one.
  bool contains(Key k) const {
    const uint64_t *b = block(k);
    const uint64_t bits = remix(k);
    for (unsigned i = 0; i < hashes_; i++) {
      const unsigned pos = bit(bits, i);
      const uint64_t w = std::atomic_ref<uint64_t>(const_cast<uint64_t &>(b[pos >> 6])).load(std::memory_order_relaxed);
      if (!(w >> (pos & 63) & 1)) return false;
    }
    return true;
  }
  void prefetch(Key k) const { __builtin_prefetch(block(k)); }
  // Sets k's bits; returns how many were not set before. Thread-safe.
  unsigned add(Key k) {
    uint64_t *b = block(k);
    const uint64_t bits = remix(k);
    unsigned fresh = 0;
    for (unsigned i = 0; i < hashes_; i++) {
      const unsigned pos = bit(bits, i);
      const uint64_t m = uint64_t{1} << (pos & 63);
      fresh += !(std::atomic_ref<uint64_t>(b[pos >> 6]).fetch_or(m, std::memory_order_relaxed) & m);
    }
    return fresh;
  }

  // Read from the whole array, in one pass (serial; about a second per GiB):
  //  - fill: the share of the bits that is set;
  //  - false_positive_rate: the probability that a state never added is
  //    taken as seen, now: the mean over blocks of (bits set in the block /
  //    512)^hashes (a state's block is uniform, and its bits are uniform
  //    within it).
  struct Figures {
    double fill, false_positive_rate;
  };
  Figures figures() const {
    uint64_t all = 0;
    double sum = 0;
    for (size_t b = 0; b < blocks_; b++) {
      unsigned set = 0;
      for (size_t w = 0; w < kBlockBytes / 8; w++) set += std::popcount(words_[b * (kBlockBytes / 8) + w]);
      all += set;
      double p = 1;
      for (unsigned i = 0; i < hashes_; i++) p *= double(set) / double(kBlockBytes * 8);
      sum += p;
    }
    return {double(all) / double(blocks_ * kBlockBytes * 8), sum / double(blocks_)};
  }

 private:
  const uint64_t *block(Key k) const { return words_ + slot(k) * (kBlockBytes / 8); }
  uint64_t *block(Key k) { return words_ + slot(k) * (kBlockBytes / 8); }
  size_t slot(Key k) const { return static_cast<size_t>(static_cast<unsigned __int128>(k) * blocks_ >> 64); }
  static uint64_t remix(Key k) {  // fmix64 of MurmurHash3
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    return k ^ (k >> 33);
  }
  static unsigned bit(uint64_t bits, unsigned i) { return static_cast<unsigned>(bits >> (9 * i)) & 511; }

  size_t blocks_;
  unsigned hashes_;
  uint64_t *words_ = nullptr;
};

}  // namespace ctxsw::checker
