// SPDX-License-Identifier: GPL-2.0-only
//
// Exhaustive breadth-first exploration, generic over a small interface so it
// can explore any model:
//
//   struct System {
//     using State = ...; using Label = ...;
//     size_t packed_bytes() const;
//     std::vector<size_t> component_bytes() const;  // optional: see visited_set.h
//     void pack(const State &, uint8_t *) const;  void unpack(const uint8_t *, State &) const;
//     // optional: pack(s) for a successor s of a parent packed as parent_rec
//     void pack_successor(const State &parent, const uint8_t *parent_rec, const State &s, uint8_t *) const;
//     std::vector<State> initial_states() const;
//     void successors(const State &, F f) const;   // f(const Label &, const State &)
//     size_t num_invariants() const;
//     std::string check(size_t i, const State &) const;  // "" = holds
//     bool check_deadlock() const;  bool quiescent(const State &) const;
//     // A system that stores reduced (e.g. symmetry-canonical) states turns a
//     // stored path back into a concrete execution of the same length:
//     void concretize(std::vector<State> &, std::vector<Label> &) const;
//   };
//
// Every invariant is checked in every reached state; the first violation in
// breadth-first order has a shortest path, which is returned as a trace.
// With Limits::bitstate_bytes the states of expanded levels are kept only as
// bits (bit_filter.h, visited_set.h): far less memory, but states can be
// skipped, so the verdict is at best "incomplete", and a counterexample is
// the shortest among the states reached.
//
// The search is level-synchronous: the states of one breadth-first level are
// expanded by `Limits::workers` threads at once, then the new states are
// numbered in the order a serial search would have found them (see
// visited_set.h). Counts, verdicts, depth and counterexamples are therefore
// the same for every number of workers; where the serial search would stop
// inside a level (first violation, deadlock, state limit), the parallel one
// finishes expanding the states before that point and reports the serial
// figures. The System's successors(), pack(), unpack() and check() must be
// safe to call from several threads at once (they are const and pure).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ctxsw/checker/visited_set.h"

namespace ctxsw::checker {

enum class Verdict { holds, violated, incomplete };

struct Limits {
  uint64_t max_states = 0;                  // 0 = none
  int max_depth = -1;                       // -1 = none; states deeper than this are not expanded
  double time_limit_s = 0;                  // 0 = none
  size_t max_memory = 0;                    // bytes of the visited set; 0 = none
  const std::atomic<bool> *stop = nullptr;  // set asynchronously (SIGINT)
  unsigned workers = 1;                     // threads expanding each level; 0 = one per hardware thread
  // Bitstate hashing (bit_filter.h): bytes of bits (0 = off: an exact store)
  // and bits per state. The verdict is then never "holds".
  size_t bitstate_bytes = 0;
  unsigned bitstate_hashes = 3;
};

// What a bitstate search can have missed (bit_filter.h), at its end.
struct BitstateFigures {
  size_t bytes = 0;  // 0: an exact search
  unsigned hashes = 0;
  double fill = 0;                 // share of the bits set
  double false_positive_rate = 0;  // a never-seen state taken as seen, at the end
  double expected_misses = 0;      // states x that rate: an upper bound of the expected states skipped by
                                   // hash collisions (each hides what only it leads to)
};

inline constexpr const char *kBitstateReason = "bitstate hashing (not exhaustive)";

struct Progress {
  uint64_t states, transitions, queue;
  int depth;
  double seconds;
};

template <class System>
struct Result {
  using State = typename System::State;
  using Label = typename System::Label;
  Verdict verdict = Verdict::holds;
  uint64_t states = 0, transitions = 0, queue_left = 0;
  int depth = 0;  // deepest BFS level reached
  double seconds = 0;
  double bytes_per_state = 0;
  size_t visited_bytes = 0;
  size_t record_bytes = 0;                 // bytes of one packed state (before collapse compression)
  size_t root_bytes = 0;                   // bytes of one stored root (the components' numbers; see visited_set.h)
  size_t component_table_bytes = 0;        // of visited_bytes: the component tables and values
  std::vector<uint64_t> component_values;  // distinct values stored per component
  unsigned workers = 1;
  std::string stop_reason;  // for incomplete
  // Violation: index into the system's invariants, or the deadlock pseudo-index.
  long violated = -1;
  std::string detail;
  std::vector<State> trace_states;  // initial state first
  std::vector<Label> trace_labels;  // trace_labels[i] leads from trace_states[i] to [i+1]
  std::vector<uint64_t> states_per_level;
  BitstateFigures bitstate;
};

inline constexpr long kDeadlock = -2;

template <class System>
Result<System> explore(const System &sys, const Limits &lim = {},
                       const std::function<void(const Progress &)> &progress = {}) {
  using State = typename System::State;
  using Label = typename System::Label;
  using Clock = std::chrono::steady_clock;
  Result<System> res;
  auto t0 = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  const unsigned workers = lim.workers ? lim.workers : std::max(1u, std::thread::hardware_concurrency());
  res.workers = workers;
  const size_t width = sys.packed_bytes();
  res.record_bytes = width;

  std::vector<size_t> parts;
  if constexpr (requires { sys.component_bytes(); }) parts = sys.component_bytes();
  StateStore store(width, parts);
  if (lim.bitstate_bytes) store.use_bitstate(lim.bitstate_bytes, lim.bitstate_hashes);
  std::vector<uint8_t> buf(width);

  // Thread-safe: the first invariant s violates (or -1).
  auto first_violated = [&](const State &s) -> long {
    for (size_t i = 0; i < sys.num_invariants(); i++)
      if (!sys.check(i, s).empty()) return static_cast<long>(i);
    return -1;
  };
  auto trace_to = [&](uint32_t idx) {
    std::vector<uint32_t> chain;
    for (uint32_t i = idx;; i = store.parent(i)) {
      chain.push_back(i);
      if (store.parent(i) == i) break;
    }
    std::reverse(chain.begin(), chain.end());
    State s;
    std::vector<uint8_t> rec(width), want(width);
    if (store.has_record(chain[0])) {
      store.full_record(chain[0], want.data());
    } else {  // bitstate mode freed it: it is the chain[0]-th distinct initial state
      std::vector<std::vector<uint8_t>> seen;
      for (const State &i : sys.initial_states()) {
        sys.pack(i, rec.data());
        if (std::find(seen.begin(), seen.end(), rec) == seen.end()) seen.push_back(rec);
      }
      want = seen.at(chain[0]);
    }
    sys.unpack(want.data(), s);
    res.trace_states.push_back(s);
    for (size_t k = 1; k < chain.size(); k++) {
      // The stored link is (parent, successor ordinal): regenerate the label,
      // and check the state against its record where it is still stored.
      uint32_t want_ord = store.ordinal(chain[k]), ord = 0;
      bool found = false;
      const bool stored = store.has_record(chain[k]);
      Label lab{};
      if (stored) store.full_record(chain[k], want.data());
      sys.successors(res.trace_states.back(), [&](const Label &l, const State &n) {
        if (ord++ != want_ord) return;
        sys.pack(n, rec.data());
        found = !stored || std::memcmp(rec.data(), want.data(), width) == 0;
        if (!stored) want = rec;
        lab = l;
      });
      if (!found) throw std::logic_error("explorer: a stored parent link does not reproduce its state");
      sys.unpack(want.data(), s);
      res.trace_states.push_back(s);
      res.trace_labels.push_back(lab);
    }
    sys.concretize(res.trace_states, res.trace_labels);
    if (res.violated >= 0) res.detail = sys.check(static_cast<size_t>(res.violated), res.trace_states.back());
  };
  auto finish = [&](Verdict v) {
    if (const BitFilter *f = store.filter()) {
      if (v == Verdict::holds) {  // every state reached was expanded, but some may not have been reached
        v = Verdict::incomplete;
        res.states = store.size();
        res.stop_reason = kBitstateReason;
      }
      const BitFilter::Figures fig = f->figures();
      res.bitstate = {f->bytes(), f->hashes(), fig.fill, fig.false_positive_rate,
                      fig.false_positive_rate * double(res.states)};
    }
    res.verdict = v;
    if (v != Verdict::violated && v != Verdict::incomplete) res.states = store.size();
    res.seconds = elapsed();
    res.visited_bytes = store.bytes();
    res.root_bytes = store.width();
    res.component_table_bytes = store.part_bytes();
    res.component_values.clear();
    for (size_t k = 0; k < store.parts(); k++) res.component_values.push_back(store.part_values(k));
    res.bytes_per_state = res.states ? double(res.visited_bytes) / double(res.states) : 0.0;
    return res;
  };

  for (const State &s : sys.initial_states()) {
    sys.pack(s, buf.data());
    auto [idx, fresh] = store.insert_committed(buf.data(), static_cast<uint32_t>(store.size()), 0);
    if (!fresh) continue;
    if (long v = first_violated(s); v >= 0) {
      res.violated = v;
      res.states = store.size();
      trace_to(idx);
      return finish(Verdict::violated);
    }
  }

  size_t lo = 0, hi = store.size();
  int depth = 0;
  res.states_per_level.push_back(hi);
  double next_report = 1.0;
  std::vector<uint16_t> succ;
  constexpr uint64_t kNone64 = ~uint64_t{0};

  while (lo < hi) {
    const size_t n = hi - lo;
    succ.assign(n, 0);
    store.forget_below(lo, workers);  // bitstate mode: the levels before this one keep only their bits
    store.reset_pending();
    store.reserve_level(n, workers);
    const uint64_t base_states = store.size();
    const uint64_t need_new = lim.max_states && lim.max_states > base_states ? lim.max_states - base_states : 0;

    std::atomic<size_t> next_chunk{lo};
    std::atomic<size_t> expanded{0};
    std::atomic<bool> halt{false};  // stop taking chunks: an event decides the level
    std::atomic<uint64_t> first_bad{kNone64}, deadlock_at{kNone64};
    std::atomic<uint64_t> pending_new{0};
    std::string stop_why;
    std::mutex mu;
    std::exception_ptr error;
    std::vector<std::vector<uint8_t>> over_rec(workers);
    std::vector<std::vector<uint64_t>> over_key(workers);
    const size_t chunk = std::clamp<size_t>(n / (workers * 64), 16, 1024);

    auto atomic_min = [](std::atomic<uint64_t> &a, uint64_t v) {
      uint64_t old = a.load(std::memory_order_relaxed);
      while (v < old && !a.compare_exchange_weak(old, v, std::memory_order_relaxed)) {
      }
    };
    auto work = [&](unsigned w) {
      try {
        StateStore::Cursor cur;
        // Successors go into the store in batches of the successors of a
        // few parents, in three passes (StateStore::Candidate), so that the
        // table lookups of one candidate overlap those of the others.
        constexpr size_t kBatch = 32;
        std::vector<uint8_t> parents;               // the batch's parents' records
        std::vector<const uint8_t *> parent_roots;  // and their stored roots
        std::vector<uint8_t> recs;                  // each candidate's record,
        std::vector<State> cand_states;             // its state (checked if it is new),
        std::vector<uint64_t> cand_keys;            // (parent, ordinal) key
        std::vector<uint32_t> cand_parent;          // and parent (index into parents)
        std::vector<StateStore::Candidate> cands;
        std::vector<uint8_t> resolved;
        State st;
        auto flush_batch = [&] {
          const size_t nc = cand_keys.size();
          cands.resize(nc);
          resolved.resize(nc);
          for (size_t i = 0; i < nc; i++) {
            const uint32_t j = cand_parent[i];
            store.prepare(cands[i], recs.data() + i * width, parents.data() + j * width, parent_roots[j]);
          }
          for (size_t i = 0; i < nc; i++) store.prefetch_values(cands[i]);
          for (size_t i = 0; i < nc; i++) resolved[i] = store.resolve(cands[i]);
          for (size_t i = 0; i < nc; i++)
            if (resolved[i]) store.prefetch_record(cands[i]);
          for (size_t i = 0; i < nc; i++) {
            const uint64_t key = cand_keys[i];
            uint32_t pidx = 0;
            auto r = resolved[i] ? store.insert_resolved(cur, cands[i], key, &pidx) : StateStore::Insert::full;
            switch (r) {
              case StateStore::Insert::fresh:
                if (need_new) pending_new.fetch_add(1, std::memory_order_relaxed);
                // Checked when new: a state found before was checked then.
                if (first_violated(cand_states[i]) >= 0) {
                  store.set_pending_flag(pidx);
                  atomic_min(first_bad, key);
                  halt.store(true, std::memory_order_relaxed);
                }
                break;
              case StateStore::Insert::full:
                over_rec[w].insert(over_rec[w].end(), recs.begin() + static_cast<long>(i * width),
                                   recs.begin() + static_cast<long>((i + 1) * width));
                over_key[w].push_back(key);
                break;
              default:
                break;
            }
          }
          parents.clear();
          parent_roots.clear();
          recs.clear();
          cand_states.clear();
          cand_keys.clear();
          cand_parent.clear();
        };
        for (;;) {
          if (halt.load(std::memory_order_relaxed)) break;
          size_t b = next_chunk.fetch_add(chunk, std::memory_order_relaxed);
          if (b >= hi) break;
          size_t e = std::min(b + chunk, hi);
          for (size_t p = b; p < e; p++) {
            const uint32_t j = static_cast<uint32_t>(parent_roots.size());
            parents.resize((j + 1) * width);
            uint8_t *parent = parents.data() + j * width;
            store.full_record(p, parent);
            parent_roots.push_back(store.record(p));
            sys.unpack(parent, st);
            uint32_t ord = 0;
            sys.successors(st, [&](const Label &, const State &nx) {
              cand_keys.push_back((uint64_t{p} << 16) | ord++);
              cand_parent.push_back(j);
              cand_states.push_back(nx);
              recs.resize(cand_keys.size() * width);
              uint8_t *out = recs.data() + (cand_keys.size() - 1) * width;
              if constexpr (requires { sys.pack_successor(st, parent, nx, out); })
                sys.pack_successor(st, parent, nx, out);
              else
                sys.pack(nx, out);
            });
            if (ord > 0x100)
              throw std::length_error("explorer: a state with more than 256 successors");  // ordinals 0..255
            succ[p - lo] = static_cast<uint16_t>(ord);
            if (ord == 0 && sys.check_deadlock() && !sys.quiescent(st)) {
              atomic_min(deadlock_at, p);
              halt.store(true, std::memory_order_relaxed);
            }
            if (cand_keys.size() >= kBatch) flush_batch();
          }
          flush_batch();
          expanded.fetch_add(e - b, std::memory_order_relaxed);
          if (need_new && pending_new.load(std::memory_order_relaxed) >= need_new)
            halt.store(true, std::memory_order_relaxed);
          // Limits that make the run incomplete (not reproducible anyway).
          double t = elapsed();
          const char *why = nullptr;
          if (lim.stop && lim.stop->load(std::memory_order_relaxed))
            why = "interrupted";
          else if (lim.time_limit_s > 0 && t > lim.time_limit_s)
            why = "time limit";
          else if (lim.max_memory && store.bytes() > lim.max_memory)
            why = "memory limit";
          if (why) {
            std::lock_guard<std::mutex> g(mu);
            if (stop_why.empty()) stop_why = why;
            halt.store(true, std::memory_order_relaxed);
          }
          if (w == 0 && progress && t >= next_report) {
            size_t done = std::min(next_chunk.load(std::memory_order_relaxed), hi);
            progress(Progress{store.reached(), res.transitions, store.reached() - done, depth, t});
            next_report = t + 1.0;
          }
        }
        store.flush(cur);
      } catch (...) {
        std::lock_guard<std::mutex> g(mu);
        if (!error) error = std::current_exception();
        halt.store(true, std::memory_order_relaxed);
      }
    };
    if (workers == 1 || n < 2 * chunk) {
      work(0);
    } else {
      std::vector<std::thread> pool;
      for (unsigned w = 1; w < workers; w++) pool.emplace_back(work, w);
      work(0);
      for (auto &t : pool) t.join();
    }
    if (error) std::rethrow_exception(error);

    // Candidates that found the table too full: insert them now, serially.
    {
      size_t extra = 0;
      for (auto &k : over_key) extra += k.size();
      if (extra) {
        store.reserve_for(extra + n);
        StateStore::Cursor cur;
        State st;
        for (unsigned w = 0; w < workers; w++)
          for (size_t i = 0; i < over_key[w].size(); i++) {
            const uint8_t *rec = over_rec[w].data() + i * width;
            uint32_t pidx = 0;
            auto r = store.insert_pending_serial(cur, rec, over_key[w][i], &pidx);
            if (r == StateStore::Insert::full) throw std::logic_error("explorer: state table full after growth");
            if (r == StateStore::Insert::fresh) {
              sys.unpack(rec, st);
              if (first_violated(st) >= 0) {
                store.set_pending_flag(pidx);
                atomic_min(first_bad, over_key[w][i]);
              }
            }
          }
      }
    }

    // Serial discovery order: by parent, then by successor ordinal.
    std::vector<uint32_t> order;
    std::vector<uint64_t> keys;
    std::vector<uint8_t> bad;
    {
      std::vector<uint32_t> start(n + 1, 0);
      size_t total = 0;
      store.for_each_pending([&](uint32_t, uint64_t key, bool) {
        start[(key >> 16) - lo + 1]++;
        total++;
      });
      for (size_t i = 0; i < n; i++) start[i + 1] += start[i];
      order.resize(total);
      keys.resize(total);
      bad.resize(total);
      std::vector<uint32_t> fill(start.begin(), start.end() - 1);
      store.for_each_pending([&](uint32_t pidx, uint64_t key, bool flag) {
        uint32_t at = fill[(key >> 16) - lo]++;
        order[at] = pidx;
        keys[at] = key;
        bad[at] = flag;
      });
      for (size_t i = 0; i < n; i++) {
        size_t a = start[i], b = start[i + 1];
        for (size_t x = a + 1; x < b; x++)  // insertion sort: a bucket is one parent's few new successors
          for (size_t y = x; y > a && keys[y] < keys[y - 1]; y--) {
            std::swap(keys[y], keys[y - 1]);
            std::swap(order[y], order[y - 1]);
            std::swap(bad[y], bad[y - 1]);
          }
      }
    }

    // Where would the serial search have stopped in this level?
    // Events at the same parent: violation (while expanding it), then deadlock, then the state limit.
    enum class Ev { none, violation, deadlock, state_limit } ev = Ev::none;
    uint64_t ev_parent = kNone64;
    size_t ev_rank = 0;                 // violation: rank of the violating state in `order`
    if (first_bad.load() != kNone64) {  // its key may since have been lowered: look the flags up
      ev_rank = static_cast<size_t>(std::find(bad.begin(), bad.end(), 1) - bad.begin());
      ev = Ev::violation;
      ev_parent = keys[ev_rank] >> 16;
    }
    if (uint64_t d = deadlock_at.load(); d != kNone64 && d < ev_parent) ev = Ev::deadlock, ev_parent = d;
    if (lim.max_states) {
      size_t cum = 0;
      for (size_t p = lo; p < hi && p < ev_parent; p++) {
        while (cum < keys.size() && (keys[cum] >> 16) == p) cum++;
        if (base_states + cum >= lim.max_states && p + 1 < base_states + cum) {
          ev = Ev::state_limit;
          ev_parent = p;
          break;
        }
      }
    }
    const bool halted_by_limit = !stop_why.empty() && ev == Ev::none;
    auto transitions_through = [&](uint64_t p, uint64_t extra) {  // successors of lo..p-1, plus extra
      uint64_t t = 0;
      for (size_t q = lo; q < p; q++) t += succ[q - lo];
      return t + extra;
    };

    if (ev == Ev::violation) {
      order.resize(ev_rank + 1);
      store.commit(order);
      res.transitions += transitions_through(ev_parent, (keys[ev_rank] & 0xffff) + 1);
      res.states = store.size();
      res.depth = depth + 1;
      res.violated = first_violated([&] {
        State s;
        std::vector<uint8_t> full(width);
        store.full_record(store.size() - 1, full.data());
        sys.unpack(full.data(), s);
        return s;
      }());
      trace_to(static_cast<uint32_t>(store.size() - 1));
      return finish(Verdict::violated);
    }
    if (ev == Ev::deadlock || ev == Ev::state_limit) {
      size_t keep =
          static_cast<size_t>(std::upper_bound(keys.begin(), keys.end(), (ev_parent << 16) | 0xffff) - keys.begin());
      order.resize(keep);
      store.commit(order);
      res.transitions += transitions_through(ev_parent + 1, 0);
      res.states = store.size();
      res.depth = depth;
      if (ev == Ev::deadlock) {
        res.violated = kDeadlock;
        res.detail = "no step is enabled but some CPU is inside a kernel path";
        trace_to(static_cast<uint32_t>(ev_parent));
        return finish(Verdict::violated);
      }
      res.queue_left = store.size() - (ev_parent + 1);
      res.stop_reason = "state limit " + std::to_string(lim.max_states);
      return finish(Verdict::incomplete);
    }
    store.commit(order, workers);
    for (uint16_t c : succ) res.transitions += c;
    if (halted_by_limit) {
      res.states = store.size();
      res.queue_left = (n - std::min(n, expanded.load())) + order.size();
      res.stop_reason = stop_why;
      res.depth = depth;
      return finish(Verdict::incomplete);
    }

    lo = hi;
    hi = store.size();
    if (lo == hi) break;
    depth++;
    res.states_per_level.push_back(hi - lo);
    if (lim.max_depth >= 0 && depth > lim.max_depth) {
      res.states = store.size();
      res.queue_left = hi - lo;
      res.stop_reason = "depth limit " + std::to_string(lim.max_depth);
      res.depth = depth - 1;
      return finish(Verdict::incomplete);
    }
  }
  res.depth = depth;
  return finish(Verdict::holds);
}

}  // namespace ctxsw::checker
