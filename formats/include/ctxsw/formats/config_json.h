// SPDX-License-Identifier: GPL-2.0-only
//
// A configuration as JSON (in --json results and trace files), both ways.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ctxsw/model/config.h"

namespace ctxsw {

nlohmann::json config_to_json(const Config &cfg);
// Parses and finalizes; on error returns a message naming the field.
std::string config_from_json(const nlohmann::json &j, Config &out);

// One line: "2 CPUs, asid_bits 2, tasks A(user a) B(user b) K(kthread), fork 1, exit".
std::string config_summary(const Config &cfg);

}  // namespace ctxsw
