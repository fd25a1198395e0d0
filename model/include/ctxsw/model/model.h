// SPDX-License-Identifier: GPL-2.0-only
//
// The executable specification: initial state and labelled successors.
// Every successor is produced by one named action in model/src/*.cpp and
// then canonicalised (generation renumbering, SPEC §2).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <type_traits>

#include "ctxsw/model/config.h"
#include "ctxsw/model/state.h"
#include "ctxsw/model/step.h"

namespace ctxsw {

class Model {
 public:
  explicit Model(Config cfg);

  const Config &config() const { return cfg_; }
  State initial_state() const;

  // Calls f(step, next_state) for every enabled step of s, in a fixed order.
  // f is called through a plain function pointer (no std::function, no
  // allocation per call): this is the checker's inner loop. next_state is a
  // scratch copy that f may take a `State &` to and change in place (the
  // checker canonicalises it there).
  template <class F>
  void successors(const State &s, F &&f) const {
    using Fn = std::remove_reference_t<F>;
    successors_impl(s, SuccessorSink{const_cast<void *>(static_cast<const void *>(std::addressof(f))),
                                     [](void *obj, const Step &st, State &n) { (*static_cast<Fn *>(obj))(st, n); }});
  }
  template <class F>
  void for_each_successor(const State &s, F &&f) const {
    successors(s, std::forward<F>(f));
  }

  // The state after step, or nullopt if the step is not enabled in s.
  std::optional<State> apply(const State &s, const Step &step) const;

  // No CPU is inside a kernel path: a state without successors here is a
  // normal end (everything exited), not a deadlock.
  bool quiescent(const State &s) const;

 private:
  struct SuccessorSink {
    void *obj;
    void (*call)(void *, const Step &, State &);
    void operator()(const Step &st, State &n) const { call(obj, st, n); }
  };
  void successors_impl(const State &s, const SuccessorSink &f) const;

  Config cfg_;
};

}  // namespace ctxsw
