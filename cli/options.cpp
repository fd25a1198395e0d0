// SPDX-License-Identifier: GPL-2.0-only
#include "options.h"

#include <iostream>

#include "ctxsw/formats/scenario.h"

namespace ctxsw::cli {

void add_config_options(CLI::App *cmd, ConfigOptions &o) {
  cmd->add_option("--cpus", o.cpus, "number of CPUs (1-4)")->capture_default_str()->group("Configuration");
  cmd->add_option("--asid-bits", o.asid_bits, "hardware ASID width (2-8 here; ctxsw prove covers 16)")
      ->capture_default_str()
      ->group("Configuration");
  cmd->add_option("--procs", o.procs, "user processes A, B, ... each with its own mm a, b, ...")
      ->capture_default_str()
      ->group("Configuration");
  cmd->add_option("--threads", o.threads, "extra user threads A1, A2, ... sharing mm a")
      ->capture_default_str()
      ->group("Configuration");
  cmd->add_option("--kthreads", o.kthreads, "kernel threads K, K2, ...")->capture_default_str()->group("Configuration");
  cmd->add_option("--fork", o.fork, "how many tasks fork/clone may create")
      ->capture_default_str()
      ->group("Configuration");
  cmd->add_flag("--no-exit", o.no_exit, "user tasks never exit")->group("Configuration");
  cmd->add_flag("--kthread-use-mm", o.kthread_use_mm, "kernel threads may kthread_use_mm()/kthread_unuse_mm()")
      ->group("Configuration");
  cmd->add_flag("--pinned", o.pinned, "pinned ASIDs: arm64_mm_context_get()/put()")->group("Configuration");
  cmd->add_flag("--kpti", o.kpti, "KPTI: ASIDs allocated in even/odd pairs")->group("Configuration");
  cmd->add_flag("--cnp", o.cnp, "CnP: one TLB shared by all CPUs")->group("Configuration");
  cmd->add_flag("--no-tlb-fills", o.no_tlb_fills, "no TLB fills (smaller, weaker)")->group("Configuration");
  cmd->add_flag("--allow-unsafe-config", o.allow_unsafe, "explore configurations the kernel forbids")
      ->group("Configuration");
  cmd->add_option("--mutant", o.mutant, "a named mutant (ctxsw list-mutants)")->group("Configuration");
  cmd->add_option("--config", o.config_file, "take the configuration from a scenario file")->group("Configuration");
}

std::string build_config(const ConfigOptions &o, Config &out) {
  auto mutant = mutant_by_name(o.mutant);
  if (!mutant) return "--mutant: unknown mutant '" + o.mutant + "' (ctxsw list-mutants)";
  Config cfg;
  if (!o.config_file.empty()) {
    Scenario sc;
    if (auto e = load_scenario(o.config_file, sc); !e.empty()) return e;
    cfg = sc.cfg;
  } else {
    if (o.procs < 0 || o.threads < 0 || o.kthreads < 0) return "--procs, --threads and --kthreads must be >= 0";
    if (o.procs > 8 || o.threads > 8 || o.kthreads > 8) return "--procs, --threads and --kthreads must be <= 8";
    if (o.threads > 0 && o.procs == 0) return "--threads needs a process (--procs >= 1)";
    cfg.cpus = o.cpus;
    cfg.asid_bits = o.asid_bits;
    cfg.mm_names.clear();
    cfg.tasks.clear();
    for (int p = 0; p < o.procs; p++) {
      cfg.mm_names.push_back(std::string(1, static_cast<char>('a' + p)));
      cfg.tasks.push_back(
          {std::string(1, static_cast<char>('A' + p)), TaskKind::user, static_cast<uint8_t>(p + 1), true});
    }
    for (int t = 0; t < o.threads; t++) cfg.tasks.push_back({"A" + std::to_string(t + 1), TaskKind::user, 1, true});
    for (int k = 0; k < o.kthreads; k++)
      cfg.tasks.push_back({k == 0 ? "K" : "K" + std::to_string(k + 1), TaskKind::kthread, 0xff, true});
    cfg.fork_slots = o.fork;
    cfg.exit = !o.no_exit;
    cfg.kthread_use_mm = o.kthread_use_mm;
    cfg.tlb_fills = !o.no_tlb_fills;
    cfg.pinned = o.pinned;
    cfg.kpti = o.kpti;
    cfg.cnp = o.cnp;
    cfg.allow_unsafe = o.allow_unsafe;
    cfg.mutant = *mutant;
    if (auto e = finalize(cfg); !e.empty()) return e;
  }
  cfg.allow_unsafe |= o.allow_unsafe;
  cfg.cnp |= o.cnp;
  if (*mutant != Mutant::none) cfg.mutant = *mutant;
  if (auto e = validate(cfg); !e.empty()) return e;
  out = std::move(cfg);
  return "";
}

CLI::Validator positive_number() {
  return CLI::Validator(
      [](std::string &s) -> std::string {
        try {
          size_t pos = 0;
          double v = std::stod(s, &pos);
          if (pos == s.size() && v > 0 && v < 1e18) return "";
        } catch (...) {
        }
        return "expected a number > 0, got '" + s + "'";
      },
      "NUMBER > 0");
}

CLI::Validator non_negative_integer() {
  return CLI::Validator(
      [](std::string &s) -> std::string {
        if (!s.empty() && s.size() <= 9 && s.find_first_not_of("0123456789") == std::string::npos) return "";
        return "expected an integer >= 0, got '" + s + "'";
      },
      "INTEGER >= 0");
}

int usage_error(const std::string &msg) {
  std::cerr << "ctxsw: error: " << msg << "\n";
  return 2;
}

}  // namespace ctxsw::cli
