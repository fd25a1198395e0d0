// SPDX-License-Identifier: GPL-2.0-only
//
// The stepping session behind `ctxsw explore`: a position on a trace (a
// loaded counterexample, or just the initial state of a configuration) and
// the commands that move along it, list and take enabled steps (guided
// simulation), show the state or only what changed, check properties and
// save the walk. Terminal-free: commands are strings and output goes to a
// stream, so scripted sessions and tests drive exactly what a user types.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "ctxsw/explore/trace.h"
#include "ctxsw/model/model.h"

namespace ctxsw::explore {

class Session {
 public:
  explicit Session(Trace t);

  // Runs one command line. Returns false if the command failed (its error
  // message has been written to out). `quit` sets done().
  bool execute(const std::string &line, std::ostream &out);
  bool done() const { return done_; }

  const Trace &trace() const { return tr_; }
  size_t position() const { return pos_; }  // index into trace().states
  const State &current() const { return tr_.states[pos_]; }

  // The enabled steps at the current state, in the numbering `enabled` shows.
  std::vector<std::pair<Step, State>> enabled() const;

  // The trace as it stands (the whole walk, not only up to the position),
  // with the property violated at its last state.
  Trace walk() const;

  // Command names (for completion and help).
  static const std::vector<std::string> &commands();

 private:
  void show(std::ostream &out, const std::string &filter, bool all) const;
  void show_position(std::ostream &out) const;
  bool move_to(size_t pos, std::ostream &out);

  Model model_;
  Trace tr_;
  size_t pos_ = 0;
  bool done_ = false;
};

}  // namespace ctxsw::explore
