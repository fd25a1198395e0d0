// SPDX-License-Identifier: GPL-2.0-only
//
// Exhaustive breadth-first exploration, generic over a small interface so it
// can explore any model:
//
//   struct System {
//     using State = ...; using Label = ...;
//     size_t packed_bytes() const;
//     void pack(const State &, uint8_t *) const;  void unpack(const uint8_t *, State &) const;
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
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ctxsw/checker/visited_set.h"

namespace ctxsw::checker {

enum class Verdict { holds, violated, incomplete };

struct Limits {
  uint64_t max_states = 0;     // 0 = none
  int max_depth = -1;          // -1 = none; states deeper than this are not expanded
  double time_limit_s = 0;     // 0 = none
  size_t max_memory = 0;       // bytes of the visited set; 0 = none
  const std::atomic<bool> *stop = nullptr;  // set asynchronously (SIGINT)
};

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
  std::string stop_reason;  // for incomplete
  // Violation: index into the system's invariants, or the deadlock pseudo-index.
  long violated = -1;
  std::string detail;
  std::vector<State> trace_states;  // initial state first
  std::vector<Label> trace_labels;  // trace_labels[i] leads from trace_states[i] to [i+1]
  std::vector<uint64_t> states_per_level;
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

  VisitedSet seen(sys.packed_bytes());
  std::vector<uint32_t> parent;
  std::vector<Label> via;
  std::vector<uint8_t> buf(sys.packed_bytes());

  auto trace_to = [&](uint32_t idx) {
    std::vector<uint32_t> chain;
    for (uint32_t i = idx;; i = parent[i]) {
      chain.push_back(i);
      if (parent[i] == i) break;
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      State s;
      sys.unpack(seen.record(*it), s);
      res.trace_states.push_back(s);
      if (it != chain.rbegin()) res.trace_labels.push_back(via[*it]);
    }
    sys.concretize(res.trace_states, res.trace_labels);
    if (res.violated >= 0) res.detail = sys.check(static_cast<size_t>(res.violated), res.trace_states.back());
  };
  auto violated_in = [&](const State &s) -> bool {
    for (size_t i = 0; i < sys.num_invariants(); i++) {
      std::string d = sys.check(i, s);
      if (!d.empty()) {
        res.violated = static_cast<long>(i);
        res.detail = std::move(d);
        return true;
      }
    }
    return false;
  };
  auto finish = [&](Verdict v) {
    res.verdict = v;
    res.states = seen.size();
    res.seconds = elapsed();
    res.bytes_per_state = seen.bytes_per_state();
    res.visited_bytes = seen.bytes();
    return res;
  };

  for (const State &s : sys.initial_states()) {
    sys.pack(s, buf.data());
    auto [idx, fresh] = seen.insert(buf.data());
    if (!fresh) continue;
    parent.push_back(idx);
    via.push_back(Label{});
    if (violated_in(s)) {
      trace_to(idx);
      return finish(Verdict::violated);
    }
  }

  size_t head = 0, level_end = seen.size();
  int depth = 0;
  res.states_per_level.push_back(seen.size());
  double next_report = 1.0;
  State cur;
  bool stopped_by_violation = false;
  uint32_t bad = 0;

  while (head < seen.size()) {
    if (head == level_end) {
      depth++;
      level_end = seen.size();
      res.states_per_level.push_back(level_end - head);
      if (lim.max_depth >= 0 && depth > lim.max_depth) {
        res.queue_left = seen.size() - head;
        res.stop_reason = "depth limit " + std::to_string(lim.max_depth);
        res.depth = depth - 1;
        return finish(Verdict::incomplete);
      }
    }
    if ((head & 0x3ff) == 0) {
      double t = elapsed();
      std::string why;
      if (lim.stop && lim.stop->load(std::memory_order_relaxed)) why = "interrupted";
      else if (lim.time_limit_s > 0 && t > lim.time_limit_s) why = "time limit";
      else if (lim.max_memory && seen.bytes() > lim.max_memory) why = "memory limit";
      if (!why.empty()) {
        res.queue_left = seen.size() - head;
        res.stop_reason = why;
        res.depth = depth;
        return finish(Verdict::incomplete);
      }
      if (progress && t >= next_report) {
        progress(Progress{seen.size(), res.transitions, seen.size() - head, depth, t});
        next_report = t + 1.0;
      }
    }
    uint32_t from = static_cast<uint32_t>(head++);
    sys.unpack(seen.record(from), cur);
    size_t succ = 0;
    sys.successors(cur, [&](const Label &l, const State &n) {
      succ++;
      if (stopped_by_violation) return;
      res.transitions++;
      sys.pack(n, buf.data());
      auto [idx, fresh] = seen.insert(buf.data());
      if (!fresh) return;
      parent.push_back(from);
      via.push_back(l);
      if (violated_in(n)) {
        stopped_by_violation = true;
        bad = idx;
      }
    });
    if (stopped_by_violation) {
      res.depth = depth + 1;
      trace_to(bad);
      return finish(Verdict::violated);
    }
    if (succ == 0 && sys.check_deadlock() && !sys.quiescent(cur)) {
      res.violated = kDeadlock;
      res.detail = "no step is enabled but some CPU is inside a kernel path";
      res.depth = depth;
      trace_to(from);
      return finish(Verdict::violated);
    }
    if (lim.max_states && seen.size() >= lim.max_states && head < seen.size()) {
      res.queue_left = seen.size() - head;
      res.stop_reason = "state limit " + std::to_string(lim.max_states);
      res.depth = depth;
      return finish(Verdict::incomplete);
    }
  }
  res.depth = depth;
  return finish(Verdict::holds);
}

}  // namespace ctxsw::checker
