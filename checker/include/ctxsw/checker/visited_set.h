// SPDX-License-Identifier: GPL-2.0-only
//
// The set of reached states, built for level-synchronous breadth-first search
// by several threads.
//
//  - Stored states are fixed-width packed records in an arena of blocks
//    (never moved, never copied on growth), numbered in breadth-first order:
//    a record's number is its identity for parent links, and the arena order
//    is the queue.
//  - An open-addressing table of 64-bit words finds them. A word holds 31 bits
//    of the record's hash (its "tag"), a provisional flag and a 32-bit number.
//    The slot of a word is the leading bits of its hash, which are also the
//    leading bits of its tag, so growing the table never reads or re-hashes a
//    record.
//  - While one level is expanded, threads insert candidate successors
//    concurrently (compare-and-swap on empty words). A new state first lives
//    in a "pending" pool; its word is provisional and names the pool entry.
//    Each pending state keeps the least (parent number, successor ordinal)
//    that produced it, which is exactly the pair under which a serial
//    breadth-first search would have found it first.
//  - commit() then numbers the pending states in the order of that key, copies
//    them into the arena and makes their words final. The result, the
//    numbering, and the parent of every state are therefore those of the
//    serial search, whatever the number of threads and their timing.
#pragma once

#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

namespace ctxsw::checker {

class StateStore {
 public:
  static constexpr uint64_t kNoKey = ~uint64_t{0};
  enum class Insert { fresh, pending_dup, seen, full };

  explicit StateStore(size_t record_bytes) : width_(record_bytes ? record_bytes : 1) { alloc_table(16); }

  size_t width() const { return width_; }
  size_t size() const { return count_; }                                       // committed states
  size_t table_used() const { return used_.load(std::memory_order_relaxed); }  // committed + pending
  const uint8_t *record(size_t i) const { return arena_[i >> kArenaShift].get() + (i & kArenaMask) * width_; }
  uint32_t parent(size_t i) const { return parent_[i]; }
  uint32_t ordinal(size_t i) const { return ordinal_[i]; }

  static uint64_t hash(const uint8_t *rec, size_t width) { return XXH3_64bits(rec, width); }

  // Serial insertion of a committed state (initial states). Returns {number, fresh}.
  std::pair<uint32_t, bool> insert_committed(const uint8_t *rec, uint32_t parent, uint32_t ordinal) {
    reserve_for(1);
    uint64_t h = hash(rec, width_);
    for (size_t slot = slot_of(h);; slot = (slot + 1) & mask_) {
      uint64_t e = table_[slot].load(std::memory_order_relaxed);
      if (e == 0) {
        uint32_t id = append(rec, parent, ordinal);
        table_[slot].store(word(h, false, id), std::memory_order_relaxed);
        used_.fetch_add(1, std::memory_order_relaxed);
        return {id, true};
      }
      if (tag_of(e) == tag(h) && !(e & kPending) && std::memcmp(record(number(e)), rec, width_) == 0)
        return {number(e), false};
    }
  }

  // ---- one level: reset_pending(), concurrent insert_pending(), commit() ----

  // Per-thread allocation cursor into the pending pool.
  struct Cursor {
    size_t block = ~size_t{0};
    size_t next = 0;
  };

  void reset_pending() {
    size_t nb = std::min(pool_blocks_used_.load(std::memory_order_relaxed), kMaxPoolBlocks);
    std::fill(pool_fill_.begin(), pool_fill_.begin() + static_cast<long>(nb), 0);
    pool_blocks_used_.store(0, std::memory_order_relaxed);
  }

  // Looks rec (hash h) up; if absent, adds it as pending with `key` and
  // returns fresh with its pool index in *pending. A pending duplicate lowers
  // the pending state's key to `key` if smaller. `full`: the table is too
  // loaded to insert; the caller keeps the candidate for after grow().
  Insert insert_pending(Cursor &cur, const uint8_t *rec, uint64_t h, uint64_t key, uint32_t *pending) {
    const uint32_t t = tag(h);
    bool staged = false;
    uint32_t pidx = 0;
    for (size_t slot = slot_of(h);; slot = (slot + 1) & mask_) {
      uint64_t e = table_[slot].load(std::memory_order_acquire);
      while (e == 0) {
        if (used_.load(std::memory_order_relaxed) >= limit_) return Insert::full;
        if (!staged) {
          pidx = stage(cur);
          std::memcpy(pool_record(pidx), rec, width_);
          pool_key(pidx).store(key, std::memory_order_relaxed);
          staged = true;
        }
        pool_slot(pidx) = slot;
        if (table_[slot].compare_exchange_strong(e, word(h, true, pidx), std::memory_order_acq_rel,
                                                 std::memory_order_acquire)) {
          used_.fetch_add(1, std::memory_order_relaxed);
          cur.next++;
          pool_fill_[cur.block] = static_cast<uint32_t>(cur.next);
          *pending = pidx;
          return Insert::fresh;
        }
      }
      if (tag_of(e) != t) continue;
      if (e & kPending) {
        uint32_t q = number(e);
        if (std::memcmp(pool_record(q), rec, width_) == 0) {
          std::atomic<uint64_t> &k = pool_key(q);
          uint64_t old = k.load(std::memory_order_relaxed);
          while (key < old && !k.compare_exchange_weak(old, key, std::memory_order_relaxed)) {
          }
          return Insert::pending_dup;
        }
      } else if (std::memcmp(record(number(e)), rec, width_) == 0) {
        return Insert::seen;
      }
    }
  }

  // Marks a pending state (e.g. as violating an invariant).
  void set_pending_flag(uint32_t pidx) { pool_block(pidx)->flag[pidx & kPoolMask] = 1; }

  // Pending states, each with its key, pool index and flag (after the level's
  // threads have joined).
  template <class F>
  void for_each_pending(F &&f) const {
    size_t nb = pool_blocks_used_.load(std::memory_order_relaxed);
    for (size_t b = 0; b < nb; b++)
      for (uint32_t i = 0; i < pool_fill_[b]; i++) {
        uint32_t p = static_cast<uint32_t>(b << kPoolShift | i);
        f(p, pool_key(p).load(std::memory_order_relaxed), pool_[b]->flag[i] != 0);
      }
  }
  const uint8_t *pending_record(uint32_t pidx) const { return pool_record(pidx); }

  // Appends pending states to the arena in the given order (each key's parent
  // and ordinal become its parent link) and makes their words final.
  void commit(const std::vector<uint32_t> &order) {
    for (uint32_t p : order) {
      uint64_t key = pool_key(p).load(std::memory_order_relaxed);
      uint32_t id = append(pool_record(p), static_cast<uint32_t>(key >> 16), static_cast<uint32_t>(key & 0xffff));
      std::atomic<uint64_t> &w = table_[pool_slot(p)];
      uint64_t e = w.load(std::memory_order_relaxed);
      w.store(((e >> 33) << 33) | (uint64_t{id} + 1), std::memory_order_relaxed);
    }
  }

  // Grows the table so that `more` further insertions keep it at most half full.
  void reserve_for(size_t more) {
    size_t need = used_.load(std::memory_order_relaxed) + more;
    if (need * 2 <= table_size_) return;
    int bits = log2_;
    while ((size_t{1} << bits) < need * 2) bits++;
    if (bits > 31) throw std::length_error("state table larger than 2^31 entries");
    auto old = std::move(table_);
    size_t old_size = table_size_;
    alloc_table(bits);
    for (size_t i = 0; i < old_size; i++) {
      uint64_t e = old[i].load(std::memory_order_relaxed);
      if (!e) continue;
      size_t slot = static_cast<size_t>(tag_of(e) >> (31 - log2_));
      while (table_[slot].load(std::memory_order_relaxed)) slot = (slot + 1) & mask_;
      table_[slot].store(e, std::memory_order_relaxed);
      if (e & kPending) pool_slot(number(e)) = slot;
    }
  }

  // Bytes held for committed states (arena, table, parent links).
  size_t bytes() const {
    return arena_.size() * (size_t{1} << kArenaShift) * width_ + table_size_ * sizeof(uint64_t) +
           parent_.capacity() * sizeof(uint32_t) + ordinal_.capacity() +
           pool_bytes_alloc_.load(std::memory_order_relaxed);
  }
  double bytes_per_state() const { return count_ ? double(bytes()) / double(count_) : 0.0; }

 private:
  static constexpr uint64_t kPending = uint64_t{1} << 32;
  static constexpr int kArenaShift = 16;
  static constexpr size_t kArenaMask = (size_t{1} << kArenaShift) - 1;
  static constexpr int kPoolShift = 12;
  static constexpr uint32_t kPoolMask = (1u << kPoolShift) - 1;
  static constexpr size_t kMaxPoolBlocks = size_t{1} << (32 - kPoolShift);

  struct PoolBlock {
    std::unique_ptr<uint8_t[]> rec;
    std::unique_ptr<std::atomic<uint64_t>[]> key;
    std::unique_ptr<uint64_t[]> slot;
    std::unique_ptr<uint8_t[]> flag;
  };

  static uint32_t tag(uint64_t h) { return static_cast<uint32_t>(h >> 33); }
  static uint32_t tag_of(uint64_t e) { return static_cast<uint32_t>(e >> 33); }
  static uint32_t number(uint64_t e) { return static_cast<uint32_t>(e) - 1u; }
  static uint64_t word(uint64_t h, bool pending, uint32_t n) {
    return (uint64_t{tag(h)} << 33) | (pending ? kPending : 0) | (uint64_t{n} + 1);
  }
  size_t slot_of(uint64_t h) const { return static_cast<size_t>(h >> (64 - log2_)); }

  void alloc_table(int bits) {
    log2_ = bits;
    table_size_ = size_t{1} << bits;
    mask_ = table_size_ - 1;
    table_ = std::make_unique<std::atomic<uint64_t>[]>(table_size_);  // value-initialised: zero
    limit_ = table_size_ - table_size_ / 8;                           // at most 7/8 full
  }

  uint32_t append(const uint8_t *rec, uint32_t parent, uint32_t ordinal) {
    if (count_ >= 0xfffffffeu) throw std::length_error("more than 2^32 - 2 states");
    if ((count_ & kArenaMask) == 0 && (count_ >> kArenaShift) == arena_.size())
      arena_.push_back(std::make_unique<uint8_t[]>((size_t{1} << kArenaShift) * width_));
    std::memcpy(arena_[count_ >> kArenaShift].get() + (count_ & kArenaMask) * width_, rec, width_);
    parent_.push_back(parent);
    if (ordinal > 0xff) throw std::length_error("a state with more than 256 successors");
    ordinal_.push_back(static_cast<uint8_t>(ordinal));
    return static_cast<uint32_t>(count_++);
  }

  // Reserves the next pool entry of the thread's block (a new block when full).
  uint32_t stage(Cursor &cur) {
    if (cur.block == ~size_t{0} || cur.next == (size_t{1} << kPoolShift)) {
      size_t b = pool_blocks_used_.fetch_add(1, std::memory_order_relaxed);
      if (b >= kMaxPoolBlocks) throw std::length_error("more than 2^32 new states in one level");
      if (!pool_[b]) {
        auto blk = std::make_unique<PoolBlock>();
        size_t n = size_t{1} << kPoolShift;
        blk->rec = std::make_unique<uint8_t[]>(n * width_);
        blk->key = std::make_unique<std::atomic<uint64_t>[]>(n);
        blk->slot = std::make_unique<uint64_t[]>(n);
        blk->flag = std::make_unique<uint8_t[]>(n);
        pool_[b] = std::move(blk);
        pool_bytes_alloc_.fetch_add(n * (width_ + 17), std::memory_order_relaxed);
      }
      std::memset(pool_[b]->flag.get(), 0, size_t{1} << kPoolShift);
      cur.block = b;
      cur.next = 0;
    }
    return static_cast<uint32_t>(cur.block << kPoolShift | cur.next);
  }

  PoolBlock *pool_block(uint32_t p) const { return pool_[p >> kPoolShift].get(); }
  uint8_t *pool_record(uint32_t p) const { return pool_block(p)->rec.get() + (p & kPoolMask) * width_; }
  std::atomic<uint64_t> &pool_key(uint32_t p) const { return pool_block(p)->key[p & kPoolMask]; }
  uint64_t &pool_slot(uint32_t p) const { return pool_block(p)->slot[p & kPoolMask]; }

  size_t width_;
  size_t count_ = 0;
  std::vector<std::unique_ptr<uint8_t[]>> arena_;
  std::vector<uint32_t> parent_;
  std::vector<uint8_t> ordinal_;

  std::unique_ptr<std::atomic<uint64_t>[]> table_;
  size_t table_size_ = 0, mask_ = 0, limit_ = 0;
  int log2_ = 0;
  std::atomic<size_t> used_{0};

  std::vector<std::unique_ptr<PoolBlock>> pool_ = std::vector<std::unique_ptr<PoolBlock>>(kMaxPoolBlocks);
  std::vector<uint32_t> pool_fill_ = std::vector<uint32_t>(kMaxPoolBlocks);
  std::atomic<size_t> pool_blocks_used_{0};
  std::atomic<size_t> pool_bytes_alloc_{0};
};

}  // namespace ctxsw::checker
