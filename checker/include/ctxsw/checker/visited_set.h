// SPDX-License-Identifier: GPL-2.0-only
//
// The set of reached states: fixed-width packed records in one arena, found
// through an open-addressing table of (hash fragment, index) words. The
// arena order is the breadth-first order, so it doubles as the queue, and a
// record's index is its identity for parent links.
#pragma once

#include <xxhash.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace ctxsw::checker {

class VisitedSet {
 public:
  explicit VisitedSet(size_t record_bytes) : width_(record_bytes) { table_.assign(1u << 16, 0); }

  size_t size() const { return count_; }
  size_t width() const { return width_; }
  const uint8_t *record(size_t i) const { return arena_.data() + i * width_; }

  // Inserts the record if new. Returns {index, inserted}.
  std::pair<uint32_t, bool> insert(const uint8_t *rec) {
    uint64_t h = XXH3_64bits(rec, width_);
    uint32_t tag = static_cast<uint32_t>(h >> 32);
    size_t mask = table_.size() - 1;
    for (size_t slot = h & mask;; slot = (slot + 1) & mask) {
      uint64_t e = table_[slot];
      if (e == 0) {
        if (count_ >= 0xfffffffeu) throw std::length_error("more than 2^32 states");
        uint32_t idx = static_cast<uint32_t>(count_++);
        arena_.insert(arena_.end(), rec, rec + width_);
        table_[slot] = (static_cast<uint64_t>(tag) << 32) | (idx + 1u);
        if (count_ * 2 > table_.size()) grow();
        return {idx, true};
      }
      if (static_cast<uint32_t>(e >> 32) == tag) {
        uint32_t idx = static_cast<uint32_t>(e) - 1u;
        if (std::memcmp(record(idx), rec, width_) == 0) return {idx, false};
      }
    }
  }

  // Bytes held per stored state (arena + table), for reports.
  double bytes_per_state() const {
    return count_ ? double(arena_.capacity() + table_.size() * sizeof(uint64_t)) / double(count_) : 0.0;
  }
  size_t bytes() const { return arena_.capacity() + table_.size() * sizeof(uint64_t); }

 private:
  void grow() {
    std::vector<uint64_t> old;
    old.swap(table_);
    table_.assign(old.size() * 2, 0);
    size_t mask = table_.size() - 1;
    for (uint64_t e : old) {
      if (!e) continue;
      uint64_t h = XXH3_64bits(record(static_cast<uint32_t>(e) - 1u), width_);
      size_t slot = h & mask;
      while (table_[slot]) slot = (slot + 1) & mask;
      table_[slot] = e;
    }
  }

  size_t width_;
  size_t count_ = 0;
  std::vector<uint8_t> arena_;
  std::vector<uint64_t> table_;
};

}  // namespace ctxsw::checker
