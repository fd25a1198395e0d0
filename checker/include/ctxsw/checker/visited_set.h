// SPDX-License-Identifier: GPL-2.0-only
//
// The set of reached states, built for level-synchronous breadth-first search
// by several threads.
//
//  - Collapse compression (as in LTSmin/SPIN's COLLAPSE): a packed record is
//    the concatenation of a few components (for the context-switch model:
//    the tasks, each CPU, the mms and globals). Each component is interned
//    in a table of its own (Interner: each distinct value stored once, named
//    by a 32-bit number), and a state is stored as the tuple of its
//    components' numbers, its "root". Interning is a bijection between
//    values and numbers, so two records are equal if and only if their
//    roots are: the set of roots is the set of states. A successor shares
//    most components with its parent; only the changed ones are looked up.
//  - Roots are fixed-width records in an arena of blocks (never moved,
//    never copied on growth), numbered in breadth-first order: a root's
//    number is its state's identity for parent links, and the arena order
//    is the queue.
//  - An open-addressing table (linear probing) finds them: per slot a 32-bit
//    word (a provisional flag and a 31-bit number) and, in a parallel array,
//    an 8-bit tag from the root's hash, so that most probes of other states
//    are rejected without reading their roots: 5 bytes per slot. The slot is
//    the root's hash scaled to the table, whose size need not be a power of
//    two: it grows by half when a level could fill it beyond 3/4. Growing
//    re-hashes the roots in arena order (sequential reads).
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
//  - Bitstate mode (use_bitstate(), bit_filter.h): commit() also sets each
//    new state's bits in a bit array; before each level, forget_below()
//    drops the states of the levels already expanded from the table, frees
//    their roots, and writes their parent links to a temporary file. The
//    table then holds only the level being expanded and the next one. A
//    candidate whose bits are all set is taken as seen; as the array only
//    changes between levels, that answer is the same for every thread and
//    every number of threads, so runs remain reproducible. Such a search is
//    not exhaustive (bit_filter.h).
#pragma once

#include <xxhash.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ctxsw/checker/bit_filter.h"

namespace ctxsw::checker {

// a[0..w) == b[0..w): inline, for the short fixed-width records compared on
// every lookup (a libc memcmp call costs more than comparing 8 bytes at a time).
// A tail shorter than 8 bytes is compared as the last 8 bytes (overlapping
// the previous word) when there are at least 8.
[[gnu::always_inline]] inline bool equal_bytes(const uint8_t *a, const uint8_t *b, size_t w) {
  auto word = [](const uint8_t *p) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    return x;
  };
  if (w >= 8) {
    const uint8_t *last_a = a + w - 8, *last_b = b + w - 8;
    for (; a < last_a; a += 8, b += 8)
      if (word(a) != word(b)) return false;
    return word(last_a) == word(last_b);
  }
  for (; w; a++, b++, w--)
    if (*a != *b) return false;
  return true;
}

// f(begin, end) on `threads` contiguous parts of [0, n), each but the first
// in a thread of its own; serially when n < min_parallel.
template <class F>
void for_ranges(size_t n, unsigned threads, size_t min_parallel, F &&f) {
  if (threads <= 1 || n < min_parallel) return f(size_t{0}, n);
  const size_t part = (n + threads - 1) / threads;
  std::vector<std::thread> pool;
  for (unsigned w = 1; w < threads; w++)
    pool.emplace_back([&, w] { f(std::min(n, w * part), std::min(n, (w + 1) * part)); });
  f(size_t{0}, std::min(n, part));
  for (auto &t : pool) t.join();
}

// An insert-only concurrent set of fixed-width byte strings, each named by a
// 32-bit number (its insertion index). Lookups and insertions may run in
// several threads at once; growth (reserve) only between them. The table
// holds 32 bits of hash (the tag; its leading bits are the slot, so growth
// never re-hashes) and the number; values live in blocks of an arena whose
// block pointers are allocated once (untouched pages cost nothing).
class Interner {
 public:
  static constexpr uint32_t kFull = ~uint32_t{0};

  explicit Interner(size_t width) : width_(width ? width : 1) {
    blocks_ = static_cast<uint8_t **>(std::calloc(kMaxBlocks, sizeof(uint8_t *)));
    if (!blocks_) throw std::bad_alloc();
    alloc_table(1024);
  }
  ~Interner() {
    for (size_t b = 0; b < kMaxBlocks && b <= (next_.load() >> kBlockShift); b++) delete[] blocks_[b];
    std::free(blocks_);
  }
  Interner(const Interner &) = delete;
  Interner &operator=(const Interner &) = delete;

  size_t width() const { return width_; }
  size_t size() const { return used_.load(std::memory_order_relaxed); }
  const uint8_t *get(uint32_t id) const {
    return std::atomic_ref<uint8_t *>(blocks_[id >> kBlockShift]).load(std::memory_order_acquire) +
           size_t{id & kBlockMask} * width_;
  }

  // The number of v (inserting it if new), or kFull when the table is too
  // full to insert (then nothing was inserted). Thread-safe.
  uint32_t intern(const uint8_t *v) { return intern(v, hash(v)); }
  // The same, with h = hash(v) computed beforehand (see prefetch()).
  uint32_t intern(const uint8_t *v, uint64_t h) {
    const uint32_t t = static_cast<uint32_t>(h >> 32);
    uint32_t id = kFull;  // allocated, not yet published
    for (size_t slot = slot_of(t);; slot = slot + 1 == table_size_ ? 0 : slot + 1) {
      uint64_t e = table_[slot].load(std::memory_order_acquire);
      while (e == 0) {
        if (id == kFull) {
          if (used_.load(std::memory_order_relaxed) >= limit_) return kFull;
          id = allocate(v);
        }
        if (table_[slot].compare_exchange_strong(e, (uint64_t{t} << 32) | (uint64_t{id} + 1), std::memory_order_acq_rel,
                                                 std::memory_order_acquire)) {
          used_.fetch_add(1, std::memory_order_relaxed);
          return id;
        }
      }
      if (static_cast<uint32_t>(e >> 32) == t) {
        uint32_t other = static_cast<uint32_t>(e) - 1;
        if (equal_bytes(get(other), v, width_)) return other;  // (an allocated id stays unused)
      }
    }
  }
  uint64_t hash(const uint8_t *v) const { return XXH3_64bits(v, width_); }
  // Starts loading the slot where a value of hash h is looked up first.
  void prefetch(uint64_t h) const { __builtin_prefetch(&table_[slot_of(static_cast<uint32_t>(h >> 32))]); }
  // After prefetch(h): starts loading the value in the first slot if its tag
  // is h's (the value intern() will compare with).
  void prefetch_value(uint64_t h) const {
    const uint64_t e = table_[slot_of(static_cast<uint32_t>(h >> 32))].load(std::memory_order_acquire);
    if (e && static_cast<uint32_t>(e >> 32) == static_cast<uint32_t>(h >> 32))
      __builtin_prefetch(get(static_cast<uint32_t>(e) - 1));
  }
  // Serial: as intern(), growing the table when needed.
  uint32_t intern_growing(const uint8_t *v) {
    reserve_for(1);
    return intern(v);
  }
  // Serial: grows (by half, or more) so that `more` insertions keep the
  // table at most 3/4 full.
  void reserve_for(size_t more) {
    size_t need = used_.load(std::memory_order_relaxed) + more;
    if (need * 4 <= table_size_ * 3) return;
    size_t size = std::max(table_size_ + table_size_ / 2, need * 4 / 3 + 1);
    if (size > (size_t{1} << 32)) throw std::length_error("component table larger than 2^32 entries");
    auto old = std::move(table_);
    size_t old_size = table_size_;
    alloc_table(size);
    for (size_t i = 0; i < old_size; i++) {
      uint64_t e = old[i].load(std::memory_order_relaxed);
      if (!e) continue;
      size_t slot = slot_of(static_cast<uint32_t>(e >> 32));
      while (table_[slot].load(std::memory_order_relaxed)) slot = slot + 1 == table_size_ ? 0 : slot + 1;
      table_[slot].store(e, std::memory_order_relaxed);
    }
  }
  // Serial, before a level: room for a quarter more values (beyond that, a
  // level's insertions report full and are redone serially).
  void reserve_level() { reserve_for(used_.load(std::memory_order_relaxed) / 4 + 64); }

  size_t bytes() const {
    return table_size_ * sizeof(uint64_t) + block_count_.load(std::memory_order_relaxed) * kBlock * width_;
  }

 private:
  static constexpr int kBlockShift = 12;
  static constexpr size_t kBlock = size_t{1} << kBlockShift;
  static constexpr uint32_t kBlockMask = (1u << kBlockShift) - 1;
  static constexpr size_t kMaxBlocks = size_t{1} << (32 - kBlockShift);

  // The slot of a tag: its leading bits scaled to the table, so that growth
  // needs only the tags (no value is read or re-hashed).
  size_t slot_of(uint32_t t) const { return static_cast<size_t>((uint64_t{t} * table_size_) >> 32); }
  void alloc_table(size_t size) {
    table_size_ = size;
    table_ = std::make_unique<std::atomic<uint64_t>[]>(table_size_);
    limit_ = table_size_ - table_size_ / 8;
  }
  uint32_t allocate(const uint8_t *v) {
    uint64_t id = next_.fetch_add(1, std::memory_order_relaxed);
    if (id >= 0xfffffffeu) throw std::length_error("more than 2^32 - 2 values of one state component");
    std::atomic_ref<uint8_t *> blk(blocks_[id >> kBlockShift]);
    uint8_t *b = blk.load(std::memory_order_acquire);
    if (!b) {
      auto fresh = std::make_unique<uint8_t[]>(kBlock * width_);
      if (blk.compare_exchange_strong(b, fresh.get(), std::memory_order_acq_rel, std::memory_order_acquire)) {
        b = fresh.release();
        block_count_.fetch_add(1, std::memory_order_relaxed);
      }
    }
    std::memcpy(b + (id & kBlockMask) * width_, v, width_);
    return static_cast<uint32_t>(id);
  }

  size_t width_;
  uint8_t **blocks_ = nullptr;
  std::atomic<uint64_t> next_{0};
  std::atomic<size_t> block_count_{0};
  std::unique_ptr<std::atomic<uint64_t>[]> table_;
  size_t table_size_ = 0, limit_ = 0;
  std::atomic<size_t> used_{0};
};

class StateStore {
 public:
  static constexpr uint64_t kNoKey = ~uint64_t{0};
  enum class Insert { fresh, pending_dup, seen, full };

  // record_bytes: the packed record. parts: the widths of its components
  // (summing to record_bytes), each interned separately; none or one: the
  // records themselves are stored.
  explicit StateStore(size_t record_bytes, const std::vector<size_t> &parts = {})
      : full_width_(record_bytes ? record_bytes : 1) {
    size_t sum = 0;
    for (size_t w : parts) sum += w;
    if (parts.size() >= 2) {
      if (sum != record_bytes) throw std::logic_error("StateStore: component widths do not add up to the record");
      if (parts.size() > kMaxParts) throw std::logic_error("StateStore: too many components");
      for (size_t w : parts) {
        part_off_.push_back(part_off_.empty() ? 0 : part_off_.back() + parts_.back()->width());
        parts_.push_back(std::make_unique<Interner>(w));
      }
    }
    width_ = parts_.empty() ? full_width_ : parts_.size() * sizeof(uint32_t);
    entry_ = width_ + 5;
    alloc_table(size_t{1} << 16);
  }
  ~StateStore() {
    if (links_) std::fclose(links_);
  }
  StateStore(const StateStore &) = delete;
  StateStore &operator=(const StateStore &) = delete;

  // Bitstate mode, before the first insertion: `bytes` of bits, `hashes`
  // bits per state (see the top of this file).
  void use_bitstate(size_t bytes, unsigned hashes) {
    if (count_ || used_.load()) throw std::logic_error("StateStore: bitstate mode after the first insertion");
    filter_ = std::make_unique<BitFilter>(bytes, hashes);
    links_ = std::tmpfile();
    if (!links_) throw std::runtime_error("bitstate: cannot create a temporary file for the parent links");
  }
  bool forgetful() const { return filter_ != nullptr; }
  const BitFilter *filter() const { return filter_.get(); }

  // Bitstate mode, between levels (nothing pending): states below `lo`
  // (whose bits commit() set) are dropped from the table; the arena blocks
  // that hold only such states are freed, their parent links written to the
  // file. The table is rebuilt with the states from `lo` on.
  void forget_below(size_t lo, unsigned threads = 1) {
    if (!filter_ || lo <= table_base_) return;
    std::vector<uint8_t> links(size_t{5} << kArenaShift);
    for (; (freed_blocks_ + 1) << kArenaShift <= lo; freed_blocks_++) {
      const size_t first = freed_blocks_ << kArenaShift;
      for (size_t i = 0; i < (size_t{1} << kArenaShift); i++) {
        const uint8_t *e = record(first + i) + width_;
        std::memcpy(links.data() + 5 * i, e, 5);
      }
      if (std::fwrite(links.data(), 1, links.size(), links_) != links.size())
        throw std::runtime_error("bitstate: cannot write the parent links to the temporary file");
      arena_[freed_blocks_].reset();
    }
    std::fflush(links_);
    table_base_ = lo;
    used_.store(count_ - lo, std::memory_order_relaxed);
    alloc_table(std::max(size_t{1} << 16, (count_ - lo) * 8 / 3 + 1));
    for_ranges(count_ - lo, threads, size_t{1} << 16,
               [&](size_t begin, size_t end) { place_committed(lo + begin, lo + end); });
  }

  // Expected bytes per stored state, for an up-front memory estimate, of a
  // store whose roots are `root_bytes` wide (4 per component; the record
  // width when not compressed): the root, a 32-bit parent and an 8-bit
  // ordinal in the arena; a 5-byte table slot at a typical load of 0.6 (it
  // varies between 1/2 and 7/8); and about 4 bytes for the component tables
  // and the pending pool of the widest level (measured 1-4 B on the ladder of
  // docs/performance.md). Large runs land within about 15 % of it.
  static double expected_bytes_per_state(size_t root_bytes) { return double(root_bytes) + 5.0 + 5.0 / 0.6 + 4.0; }
  double expected_bytes_per_state() const { return expected_bytes_per_state(width_); }

  size_t width() const { return width_; }  // a stored root (or record)
  size_t full_width() const { return full_width_; }
  bool compressed() const { return !parts_.empty(); }

  // The packed record of committed state i / of pending state p.
  void full_record(size_t i, uint8_t *out) const { expand(record(i), out); }
  void pending_full_record(uint32_t p, uint8_t *out) const { expand(pool_record(p), out); }

  // Serial: stores a record's components and writes its root (no-op copy
  // when not compressed).
  void root_of(const uint8_t *full, uint8_t *root) { compress(full, nullptr, nullptr, root, true); }
  size_t size() const { return count_; }                                       // committed states
  size_t table_used() const { return used_.load(std::memory_order_relaxed); }  // in the table, committed + pending
  size_t reached() const { return table_base_ + table_used(); }                // committed + pending
  // The root of committed state i, while it has one (has_record(i)).
  const uint8_t *record(size_t i) const { return arena_[i >> kArenaShift].get() + (i & kArenaMask) * entry_; }
  bool has_record(size_t i) const { return i < count_ && (i >> kArenaShift) >= freed_blocks_; }
  // The parent link of committed state i (from the file once its root is
  // freed: serial only then).
  uint32_t parent(size_t i) const {
    uint32_t p;
    std::memcpy(&p, link(i).data(), 4);
    return p;
  }
  uint32_t ordinal(size_t i) const { return link(i)[4]; }

  static uint64_t hash(const uint8_t *rec, size_t width) { return XXH3_64bits(rec, width); }

  // Serial insertion of a committed state (initial states). Returns {number, fresh}.
  std::pair<uint32_t, bool> insert_committed(const uint8_t *full, uint32_t parent, uint32_t ordinal) {
    uint8_t root_buf[kMaxRoot];
    const uint8_t *rec = full;
    if (compressed()) {
      compress(full, nullptr, nullptr, root_buf, true);
      rec = root_buf;
    }
    reserve_for(1);
    uint64_t h = hash(rec, width_);
    for (size_t slot = slot_of(h);; slot = slot + 1 == table_size_ ? 0 : slot + 1) {
      uint32_t e = table_[slot].load(std::memory_order_relaxed);
      if (e == 0) {
        if (filter_) filter_->add(bits_of(full));
        uint32_t id = append(rec, parent, ordinal);
        table_[slot].store(committed_word(id), std::memory_order_relaxed);
        tags_[slot] = tag(h);
        used_.fetch_add(1, std::memory_order_relaxed);
        return {id, true};
      }
      if (tags_[slot] == tag(h) && !(e & kPending) && equal_bytes(record(committed(e)), rec, width_))
        return {static_cast<uint32_t>(committed(e)), false};
    }
  }

  // ---- one level: reset_pending(), concurrent insert_pending(), commit() ----

  // Per-thread allocation cursor into the pending pool. A thread counts its
  // insertions locally and adds them to the shared count every kBatch (and
  // in flush()), so that threads do not contend for one cache line per
  // insertion; the count may lag by kBatch - 1 per thread, which the 1/8 of
  // the table kept free beyond `limit_` absorbs (tables have >= 2^16 slots).
  struct Cursor {
    size_t block = ~size_t{0};
    size_t next = 0;
    size_t uncounted = 0;
  };
  static constexpr size_t kBatch = 64;
  // After a thread's last insertion of a level (before commit or growth).
  void flush(Cursor &cur) {
    used_.fetch_add(cur.uncounted, std::memory_order_relaxed);
    cur.uncounted = 0;
    if (cur.block != ~size_t{0}) pool_fill_[cur.block] = static_cast<uint32_t>(cur.next);
  }

  void reset_pending() {
    size_t nb = std::min(pool_blocks_used_.load(std::memory_order_relaxed), kMaxPoolBlocks);
    std::fill(pool_fill_.begin(), pool_fill_.begin() + static_cast<long>(nb), 0);
    pool_blocks_used_.store(0, std::memory_order_relaxed);
  }

  // Looks the packed record `full` up; if absent, adds it as pending with
  // `key` and returns fresh with its pool index in *pending. A pending
  // duplicate lowers the pending state's key to `key` if smaller. `full`:
  // a table is too loaded to insert; the caller keeps the candidate for
  // insert_pending_serial() after the level. parent_full/parent_root (may be
  // null): the record and root of the state it is a successor of, whose
  // unchanged components need no lookup. Thread-safe.
  Insert insert_pending(Cursor &cur, const uint8_t *full, const uint8_t *parent_full, const uint8_t *parent_root,
                        uint64_t key, uint32_t *pending) {
    if (!compressed()) return insert_root(cur, full, hash(full, width_), bits_of(full), key, pending);
    uint8_t root[kMaxRoot];
    if (!compress(full, parent_full, parent_root, root, false)) return Insert::full;
    return insert_root(cur, root, hash(root, width_), bits_of(full), key, pending);
  }
  // A successor on its way into the store, in three stages so that a batch
  // of them overlaps its memory accesses (each stage prefetches what the next
  // one reads; a lookup in a large table is a cache miss): prepare() hashes
  // the components that differ from the parent's, resolve() numbers them and
  // hashes the root, insert_resolved() looks the root up. The result is that
  // of insert_pending() on the same arguments. Thread-safe.
  static constexpr size_t kMaxParts = 16;
  static constexpr size_t kMaxRoot = kMaxParts * sizeof(uint32_t);
  struct Candidate {
    const uint8_t *full, *parent_full, *parent_root;
    uint32_t changed;     // bit k: component k differs from the parent's
    uint64_t hash;        // of the root (of the record, uncompressed)
    BitFilter::Key bits;  // bitstate mode: of the record
    std::array<uint64_t, kMaxParts> part_hash;
    std::array<uint8_t, kMaxRoot> root;
  };
  void prepare(Candidate &c, const uint8_t *full, const uint8_t *parent_full, const uint8_t *parent_root) const {
    c.full = full;
    c.parent_full = parent_full;
    c.parent_root = parent_root;
    c.changed = 0;
    c.bits = bits_of(full);
    if (!compressed()) {
      c.hash = hash(full, width_);
      prefetch_slot(c.hash);
      return;
    }
    for (size_t k = 0; k < parts_.size(); k++) {
      const Interner &in = *parts_[k];
      const uint8_t *v = full + part_off_[k];
      if (equal_bytes(v, parent_full + part_off_[k], in.width())) continue;
      c.changed |= 1u << k;
      c.part_hash[k] = in.hash(v);
      in.prefetch(c.part_hash[k]);
    }
  }
  // Between prepare() and resolve(): the changed components' first slots have
  // arrived; start loading the values they name.
  void prefetch_values(const Candidate &c) const {
    for (uint32_t m = c.changed; m; m &= m - 1) {
      const size_t k = static_cast<size_t>(std::countr_zero(m));
      parts_[k]->prefetch_value(c.part_hash[k]);
    }
  }
  // false: a component table is too full (then the candidate goes to
  // insert_pending_serial() after the level, as for Insert::full).
  bool resolve(Candidate &c) {
    if (!compressed()) return true;
    for (size_t k = 0; k < parts_.size(); k++) {
      uint32_t id;
      if (c.changed >> k & 1) {
        id = parts_[k]->intern(c.full + part_off_[k], c.part_hash[k]);
        if (id == Interner::kFull) return false;
      } else {
        std::memcpy(&id, c.parent_root + 4 * k, 4);
      }
      std::memcpy(c.root.data() + 4 * k, &id, 4);
    }
    c.hash = hash(c.root.data(), width_);
    prefetch_slot(c.hash);
    return true;
  }
  // Between resolve() and insert_resolved(): if the root's first slot has its
  // tag, start loading the record it names (a state seen before is confirmed
  // by comparing it); in bitstate mode, also the block of its bits. (Loading
  // the block already in prepare() made a run 25 % slower.)
  void prefetch_record(const Candidate &c) const {
    if (filter_) filter_->prefetch(c.bits);
    const size_t slot = slot_of(c.hash);
    const uint32_t e = table_[slot].load(std::memory_order_acquire);  // as insert_root: a pool entry is published
    if (!e || std::atomic_ref<uint8_t>(tags_[slot]).load(std::memory_order_relaxed) != tag(c.hash)) return;
    __builtin_prefetch(e & kPending ? pool_record(number(e)) : record(committed(e)));
  }
  Insert insert_resolved(Cursor &cur, const Candidate &c, uint64_t key, uint32_t *pending) {
    return insert_root(cur, compressed() ? c.root.data() : c.full, c.hash, c.bits, key, pending);
  }

  // Serial (between levels): as insert_pending, growing tables as needed.
  Insert insert_pending_serial(Cursor &cur, const uint8_t *full, uint64_t key, uint32_t *pending) {
    uint8_t root_buf[kMaxRoot];
    const uint8_t *rec = full;
    if (compressed()) {
      compress(full, nullptr, nullptr, root_buf, true);
      rec = root_buf;
    }
    reserve_for(1);
    Insert r = insert_root(cur, rec, hash(rec, width_), bits_of(full), key, pending);
    flush(cur);  // exact counts before the next growth
    return r;
  }

 private:
  // rec: the root (or record) to look up, h its hash; bits: bits_of() its record.
  Insert insert_root(Cursor &cur, const uint8_t *rec, uint64_t h, BitFilter::Key bits, uint64_t key,
                     uint32_t *pending) {
    if (filter_ && filter_->contains(bits)) return Insert::seen;  // or its bits are
    const uint8_t t = tag(h);
    bool staged = false;
    uint32_t pidx = 0;
    for (size_t slot = slot_of(h);; slot = slot + 1 == table_size_ ? 0 : slot + 1) {
      uint32_t e = table_[slot].load(std::memory_order_acquire);
      while (e == 0) {
        if (used_.load(std::memory_order_relaxed) >= limit_) return Insert::full;
        if (!staged) {
          pidx = stage(cur);
          std::memcpy(pool_record(pidx), rec, width_);
          pool_key(pidx).store(key, std::memory_order_relaxed);
          if (filter_) pool_block(pidx)->bits[pidx & kPoolMask] = bits;
          staged = true;
        }
        pool_slot(pidx) = static_cast<uint32_t>(slot);
        if (table_[slot].compare_exchange_strong(e, word(true, pidx), std::memory_order_acq_rel,
                                                 std::memory_order_acquire)) {
          // Written after the word: a reader that still sees tag 0 compares
          // the record (published by the compare-and-swap) instead.
          std::atomic_ref<uint8_t>(tags_[slot]).store(t, std::memory_order_relaxed);
          if (++cur.uncounted == kBatch) {
            used_.fetch_add(kBatch, std::memory_order_relaxed);
            cur.uncounted = 0;
          }
          cur.next++;
          *pending = pidx;
          return Insert::fresh;
        }
      }
      if (uint8_t et = std::atomic_ref<uint8_t>(tags_[slot]).load(std::memory_order_relaxed); et && et != t) continue;
      if (e & kPending) {
        uint32_t q = number(e);
        if (equal_bytes(pool_record(q), rec, width_)) {
          std::atomic<uint64_t> &k = pool_key(q);
          uint64_t old = k.load(std::memory_order_relaxed);
          while (key < old && !k.compare_exchange_weak(old, key, std::memory_order_relaxed)) {
          }
          return Insert::pending_dup;
        }
      } else if (equal_bytes(record(committed(e)), rec, width_)) {
        return Insert::seen;
      }
    }
  }

 public:
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
  // The pool is then empty: its entries are no longer pending, and a table
  // growth before the next level must not place them again (it re-places
  // the pool's entries as pending words; stale ones would name pool entries
  // that the next level overwrites).
  // Bitstate mode: also sets their bits.
  // `threads` threads share the writes (each entry's number is its rank in
  // `order`: they are independent; each is a random access into the table).
  void commit(const std::vector<uint32_t> &order, unsigned threads = 1) {
    const size_t n = order.size();
    if (count_ + n > max_states()) throw std::length_error(too_many_states());
    while ((arena_.size() << kArenaShift) < count_ + n)
      arena_.push_back(std::make_unique<uint8_t[]>((size_t{1} << kArenaShift) * entry_));
    for_ranges(n, threads, size_t{1} << 15, [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; i++) {
        const uint32_t p = order[i];
        const uint64_t key = pool_key(p).load(std::memory_order_relaxed);
        const size_t id = count_ + i;
        write_entry(id, pool_record(p), static_cast<uint32_t>(key >> 16), static_cast<uint32_t>(key & 0xffff));
        if (filter_) filter_->add(pool_block(p)->bits[p & kPoolMask]);
        table_[pool_slot(p)].store(committed_word(id), std::memory_order_relaxed);
      }
    });
    count_ += n;
    reset_pending();
  }
  // Words that name a pool entry (for tests: none between levels).
  size_t pending_words() const {
    size_t n = 0;
    for (size_t i = 0; i < table_size_; i++) n += (table_[i].load(std::memory_order_relaxed) & kPending) != 0;
    return n;
  }

  // Serial, before a level of n states: the state table for `more` further
  // insertions, each component table for doubling.
  // The committed roots are re-placed by `threads` threads when the table grows.
  void reserve_level(size_t more, unsigned threads = 1) {
    reserve_for(more, threads);
    for (auto &p : parts_) p->reserve_level();
  }

  // Grows the table (by half, or more) so that `more` further insertions keep
  // it at most 3/4 full (insertions report full beyond 7/8). Serial as a
  // whole; the committed roots are re-placed by `threads` threads (each
  // claims empty slots by compare-and-swap, so their order does not matter:
  // a root's probe sequence only has to reach its slot).
  void reserve_for(size_t more, unsigned threads = 1) {
    size_t need = used_.load(std::memory_order_relaxed) + more;
    if (need * 4 <= table_size_ * 3) return;
    size_t size = std::max(table_size_ + table_size_ / 2, need * 4 / 3 + 1);
    alloc_table(size);
    for_ranges(count_ - table_base_, threads, size_t{1} << 16,
               [&](size_t begin, size_t end) { place_committed(table_base_ + begin, table_base_ + end); });
    size_t nb = std::min(pool_blocks_used_.load(std::memory_order_relaxed), kMaxPoolBlocks);
    for (size_t b = 0; b < nb; b++)
      for (uint32_t i = 0; i < pool_fill_[b]; i++) {
        uint32_t p = static_cast<uint32_t>(b << kPoolShift | i);
        pool_slot(p) = static_cast<uint32_t>(place_hashed(hash(pool_record(p), width_), word(true, p)));
      }
  }

  // Bytes held for committed states (arena of roots, table, parent links,
  // the pending pool, component tables and their values).
  size_t bytes() const {
    size_t b = (arena_.size() - freed_blocks_) * (size_t{1} << kArenaShift) * entry_ +
               table_size_ * (sizeof(uint32_t) + 1) + arena_.capacity() * sizeof(void *) +
               pool_bytes_alloc_.load(std::memory_order_relaxed);
    for (const auto &p : parts_) b += p->bytes();
    if (filter_) b += filter_->bytes();
    return b;
  }
  // Of which in component tables.
  size_t part_bytes() const {
    size_t b = 0;
    for (const auto &p : parts_) b += p->bytes();
    return b;
  }
  size_t parts() const { return parts_.size(); }
  size_t part_values(size_t k) const { return parts_[k]->size(); }
  double bytes_per_state() const { return count_ ? double(bytes()) / double(count_) : 0.0; }

 private:
  static constexpr uint32_t kPending = uint32_t{1} << 31;
  static constexpr int kArenaShift = 12;
  static constexpr size_t kArenaMask = (size_t{1} << kArenaShift) - 1;
  static constexpr int kPoolShift = 12;
  static constexpr uint32_t kPoolMask = (1u << kPoolShift) - 1;
  static constexpr size_t kMaxPoolBlocks = size_t{1} << (31 - kPoolShift);  // pool indices < 2^31 (kPending)

  struct PoolBlock {
    std::unique_ptr<uint8_t[]> rec;
    std::unique_ptr<std::atomic<uint64_t>[]> key;
    std::unique_ptr<uint32_t[]> slot;  // the table has at most 2^32 slots (alloc_table)
    std::unique_ptr<uint8_t[]> flag;
    std::unique_ptr<BitFilter::Key[]> bits;  // bitstate mode: the record's key (commit sets its bits)
  };

  void prefetch_slot(uint64_t h) const {
    const size_t slot = slot_of(h);
    __builtin_prefetch(&table_[slot]);
    __builtin_prefetch(&tags_[slot]);
  }

  // Growth and forget_below(): word w into the first empty slot of hash h's
  // probe sequence (threads may place at once: they claim slots by
  // compare-and-swap, so their order does not matter). Returns the slot.
  size_t place_hashed(uint64_t h, uint32_t w) {
    size_t slot = slot_of(h);
    for (uint32_t empty = 0; !table_[slot].compare_exchange_strong(empty, w, std::memory_order_relaxed); empty = 0)
      slot = slot + 1 == table_size_ ? 0 : slot + 1;
    tags_[slot] = tag(h);  // its own byte: threads write distinct slots
    return slot;
  }
  // The committed roots lo..hi, hashed a batch ahead of their placement so
  // that the new table's slots are being loaded meanwhile (each is a cache miss).
  void place_committed(size_t lo, size_t hi) {
    constexpr size_t kAhead = 16;
    uint64_t ahead[kAhead];
    for (size_t i = lo; i < hi; i += kAhead) {
      const size_t m = std::min(kAhead, hi - i);
      for (size_t j = 0; j < m; j++) {
        ahead[j] = hash(record(i + j), width_);
        prefetch_slot(ahead[j]);
      }
      for (size_t j = 0; j < m; j++) place_hashed(ahead[j], committed_word(i + j));
    }
  }

  // The bits of a record (not of its root: component numbers depend on the
  // threads' timing, and the bits a state shares with others must not).
  // (Nothing to compute outside bitstate mode.)
  BitFilter::Key bits_of(const uint8_t *full) const {
    return filter_ ? BitFilter::key(full, full_width_) : BitFilter::Key{};
  }

  // State i's parent number and ordinal (5 bytes), from its arena entry or,
  // once that is freed, from the links file.
  std::array<uint8_t, 5> link(size_t i) const {
    std::array<uint8_t, 5> l;
    if (has_record(i)) {
      std::memcpy(l.data(), record(i) + width_, 5);
      return l;
    }
    if (::fseeko(links_, static_cast<off_t>(5 * i), SEEK_SET) != 0 || std::fread(l.data(), 1, 5, links_) != 5)
      throw std::runtime_error("bitstate: cannot read a parent link back from the temporary file");
    return l;
  }

  // The root of `full`: each component's number, taken from the parent's root
  // when the component is unchanged. false: a component table is full
  // (only when !growing).
  bool compress(const uint8_t *full, const uint8_t *parent_full, const uint8_t *parent_root, uint8_t *root,
                bool growing) {
    for (size_t k = 0; k < parts_.size(); k++) {
      Interner &in = *parts_[k];
      const uint8_t *v = full + part_off_[k];
      if (parent_full && equal_bytes(v, parent_full + part_off_[k], in.width())) {
        std::memcpy(root + 4 * k, parent_root + 4 * k, 4);
        continue;
      }
      uint32_t id = growing ? in.intern_growing(v) : in.intern(v);
      if (id == Interner::kFull) return false;
      std::memcpy(root + 4 * k, &id, 4);
    }
    return true;
  }
  void expand(const uint8_t *root, uint8_t *out) const {
    if (parts_.empty()) {
      std::memcpy(out, root, width_);
      return;
    }
    for (size_t k = 0; k < parts_.size(); k++) {
      uint32_t id;
      std::memcpy(&id, root + 4 * k, 4);
      std::memcpy(out + part_off_[k], parts_[k]->get(id), parts_[k]->width());
    }
  }

  // Tag 0 means "not yet written" (see insert_root); real tags are 1..255.
  static uint8_t tag(uint64_t h) {
    uint8_t t = static_cast<uint8_t>(h >> 24);
    return t ? t : 1;
  }
  static uint32_t number(uint32_t e) { return (e & ~kPending) - 1u; }
  static uint32_t word(bool pending, uint32_t n) { return (pending ? kPending : 0) | (n + 1); }
  // A word names a committed state relative to the first one in the table
  // (0 but in bitstate mode): 31 bits for the table, 32 for parent links.
  size_t committed(uint32_t e) const { return table_base_ + number(e); }
  uint32_t committed_word(size_t id) const { return word(false, static_cast<uint32_t>(id - table_base_)); }
  size_t max_states() const { return filter_ ? 0xfffffffeu : 0x7ffffffeu; }
  std::string too_many_states() const {
    return filter_ ? "more than 2^32 - 2 states" : "more than 2^31 - 2 states (bitstate mode takes 2^32 - 2)";
  }
  size_t slot_of(uint64_t h) const { return static_cast<size_t>(((h >> 32) * table_size_) >> 32); }

  // The old table goes first: growth and forget_below() place the states
  // again from the arena and the pool, so old and new are never both held.
  void alloc_table(size_t size) {
    if (size > (size_t{1} << 32)) throw std::length_error("state table larger than 2^32 entries");  // pool_slot
    table_.reset();
    tags_.reset();
    table_size_ = size;
    table_ = std::make_unique<std::atomic<uint32_t>[]>(table_size_);  // value-initialised: zero
    tags_ = std::make_unique<uint8_t[]>(table_size_);
    limit_ = table_size_ - table_size_ / 8;  // at most 7/8 full
  }

  uint32_t append(const uint8_t *rec, uint32_t parent, uint32_t ordinal) {
    if (count_ >= max_states()) throw std::length_error(too_many_states());
    if ((count_ >> kArenaShift) == arena_.size())
      arena_.push_back(std::make_unique<uint8_t[]>((size_t{1} << kArenaShift) * entry_));
    write_entry(count_, rec, parent, ordinal);
    return static_cast<uint32_t>(count_++);
  }
  // An entry: the root, the parent's number, the successor ordinal.
  void write_entry(size_t id, const uint8_t *rec, uint32_t parent, uint32_t ordinal) {
    if (ordinal > 0xff) throw std::length_error("a state with more than 256 successors");
    uint8_t *e = arena_[id >> kArenaShift].get() + (id & kArenaMask) * entry_;
    std::memcpy(e, rec, width_);
    std::memcpy(e + width_, &parent, 4);
    e[width_ + 4] = static_cast<uint8_t>(ordinal);
  }

  // Reserves the next pool entry of the thread's block (a new block when full).
  uint32_t stage(Cursor &cur) {
    if (cur.block == ~size_t{0} || cur.next == (size_t{1} << kPoolShift)) {
      if (cur.block != ~size_t{0}) pool_fill_[cur.block] = static_cast<uint32_t>(cur.next);  // full
      size_t b = pool_blocks_used_.fetch_add(1, std::memory_order_relaxed);
      if (b >= kMaxPoolBlocks) throw std::length_error("more than 2^31 new states in one level");
      if (!pool_[b]) {
        auto blk = std::make_unique<PoolBlock>();
        size_t n = size_t{1} << kPoolShift;
        blk->rec = std::make_unique<uint8_t[]>(n * width_);
        blk->key = std::make_unique<std::atomic<uint64_t>[]>(n);
        blk->slot = std::make_unique<uint32_t[]>(n);
        blk->flag = std::make_unique<uint8_t[]>(n);
        if (filter_) blk->bits = std::make_unique<BitFilter::Key[]>(n);
        const size_t entry = width_ + sizeof(blk->key[0]) + sizeof(blk->slot[0]) + sizeof(blk->flag[0]) +
                             (filter_ ? sizeof(blk->bits[0]) : 0);
        pool_[b] = std::move(blk);
        pool_bytes_alloc_.fetch_add(n * entry, std::memory_order_relaxed);
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
  uint32_t &pool_slot(uint32_t p) const { return pool_block(p)->slot[p & kPoolMask]; }

  size_t full_width_, width_ = 0;
  std::vector<std::unique_ptr<Interner>> parts_;
  std::vector<size_t> part_off_;
  size_t count_ = 0;
  std::vector<std::unique_ptr<uint8_t[]>> arena_;
  size_t entry_ = 0;  // bytes per arena entry: root, parent (4), ordinal (1)

  // Bitstate mode: the bit array, the states below table_base_ are in it
  // (not in the table), the arena's first freed_blocks_ blocks are freed and
  // their parent links are in links_.
  std::unique_ptr<BitFilter> filter_;
  size_t table_base_ = 0, freed_blocks_ = 0;
  std::FILE *links_ = nullptr;

  std::unique_ptr<std::atomic<uint32_t>[]> table_;
  std::unique_ptr<uint8_t[]> tags_;
  size_t table_size_ = 0, limit_ = 0;
  std::atomic<size_t> used_{0};

  std::vector<std::unique_ptr<PoolBlock>> pool_ = std::vector<std::unique_ptr<PoolBlock>>(kMaxPoolBlocks);
  std::vector<uint32_t> pool_fill_ = std::vector<uint32_t>(kMaxPoolBlocks);
  std::atomic<size_t> pool_blocks_used_{0};
  std::atomic<size_t> pool_bytes_alloc_{0};
};

}  // namespace ctxsw::checker
