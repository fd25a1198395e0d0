// SPDX-License-Identifier: GPL-2.0-only
//
// A single self-contained HTML page for a trace (no network access needed):
// a timeline with one lane per CPU, a step slider, the state table with the
// fields changed by the current step highlighted, and the violated property.
//
// The page reads its URL fragment: "#step=N" opens it at step N, and
// "#selftest" steps through every state, checks that the table shows the
// trace's values and the right highlights, and writes "PASS ..." or
// "FAIL ..." into the element #selftest (used by the headless-browser test).
#pragma once

#include <string>

#include "ctxsw/explore/trace.h"

namespace ctxsw::explore {

std::string trace_html(const Trace &t);

}  // namespace ctxsw::explore
