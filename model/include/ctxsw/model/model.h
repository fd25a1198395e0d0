// SPDX-License-Identifier: GPL-2.0-only
//
// The executable specification: initial state and labelled successors.
// Every successor is produced by one named action in model/src/*.cpp and
// then canonicalised (generation renumbering, SPEC §2).
#pragma once

#include <functional>
#include <optional>

#include "ctxsw/model/config.h"
#include "ctxsw/model/state.h"
#include "ctxsw/model/step.h"

namespace ctxsw {

class Model {
 public:
  explicit Model(Config cfg);

  const Config &config() const { return cfg_; }
  State initial_state() const;

  // Calls f(step, next_state) for every enabled step of s.
  template <class F>
  void for_each_successor(const State &s, F &&f) const {
    successors(s, std::function<void(const Step &, const State &)>(std::forward<F>(f)));
  }
  void successors(const State &s, const std::function<void(const Step &, const State &)> &f) const;

  // The state after step, or nullopt if the step is not enabled in s.
  std::optional<State> apply(const State &s, const Step &step) const;

  // No CPU is inside a kernel path: a state without successors here is a
  // normal end (everything exited), not a deadlock.
  bool quiescent(const State &s) const;

 private:
  Config cfg_;
};

}  // namespace ctxsw
