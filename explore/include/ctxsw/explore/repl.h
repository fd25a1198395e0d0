// SPDX-License-Identifier: GPL-2.0-only
//
// The terminal loop of `ctxsw explore`: GNU readline (line editing, history
// kept in ~/.ctxsw_history, command completion) when stdin is a terminal;
// plain line reading otherwise, echoing each command after the prompt so a
// scripted session's output reads like the interactive one.
#pragma once

#include <iosfwd>

#include "ctxsw/explore/session.h"

namespace ctxsw::explore {

// Runs commands until `quit` or end of input. Returns the number of commands
// that failed.
int run_repl(Session &s, std::istream &in, std::ostream &out, bool interactive);

}  // namespace ctxsw::explore
