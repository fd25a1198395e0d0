// SPDX-License-Identifier: GPL-2.0-only
//
// Opening a trace for `ctxsw explore` and `ctxsw replay`: a JSON trace file
// (replayed through the model first) or a scenario (examples/*.scn), and
// writing the --trace-out / --html outputs.
#pragma once

#include <string>

#include "ctxsw/explore/trace.h"

namespace ctxsw::cli {

bool is_json_trace(const std::string &path);

// Writes a file completely or not at all. Returns false on failure.
bool write_whole_file(const std::string &path, const std::string &text);

// Writes the trace as JSON and/or HTML where the paths are non-empty.
// Returns "" or an error naming the option.
std::string write_trace_outputs(const explore::Trace &t, const std::string &trace_out, const std::string &html);

}  // namespace ctxsw::cli
