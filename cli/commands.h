// SPDX-License-Identifier: GPL-2.0-only
//
// Each subcommand registers itself on the application and stores the exit
// status of its run in `status`.
#pragma once

#include <CLI/CLI.hpp>

namespace ctxsw::cli {

void register_check(CLI::App &app, int &status);
void register_bench(CLI::App &app, int &status);
void register_lists(CLI::App &app, int &status);
void register_replay(CLI::App &app, int &status);
void register_explore(CLI::App &app, int &status);
void register_graph(CLI::App &app, int &status);
void register_asm(CLI::App &app, int &status);
void register_prove(CLI::App &app, int &status);

}  // namespace ctxsw::cli
