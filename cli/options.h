// SPDX-License-Identifier: GPL-2.0-only
//
// The configuration options shared by the subcommands that build a model.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "ctxsw/model/config.h"

namespace ctxsw::cli {

struct ConfigOptions {
  int cpus = 2;
  int asid_bits = 2;
  int procs = 2;
  int threads = 0;
  int kthreads = 1;
  int fork = 1;
  bool no_exit = false;
  bool kthread_use_mm = false;
  bool pinned = false;
  bool kpti = false;
  bool cnp = false;
  bool no_tlb_fills = false;
  bool allow_unsafe = false;
  std::string mutant = "none";
  std::string config_file;  // a scenario file whose configuration is used
};

void add_config_options(CLI::App *cmd, ConfigOptions &o);
// Builds and validates the configuration; returns "" or a one-line error.
std::string build_config(const ConfigOptions &o, Config &out);

// Validators for numeric options, with messages that say what is expected:
// "--time-limit: expected a number > 0, got '-5'".
CLI::Validator positive_number();
CLI::Validator non_negative_integer();

// Errors of the user's input: print "ctxsw: error: MSG" and return 2.
int usage_error(const std::string &msg);

}  // namespace ctxsw::cli
