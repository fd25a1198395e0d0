// SPDX-License-Identifier: GPL-2.0-only
#include "ctxsw/model/config.h"

#include <algorithm>

#include "ctxsw/model/limits.h"

namespace ctxsw {

// asids_update_limit():
//	num_available_asids = NUM_USER_ASIDS;  (halved with KPTI)
//	max_pinned_asids = num_available_asids - num_possible_cpus() - 2;
long Config::max_pinned_asids() const {
  long available = num_user_asids() / (kpti ? 2 : 1);
  return available - cpus - 2;
}

std::string Config::task_name(int t) const {
  if (t == 0xff) return "-";
  if (t < 0 || t >= nr_tasks()) return "task" + std::to_string(t);
  return tasks[t].name;
}

std::string Config::mm_name(int m) const {
  if (m == 0xff) return "-";
  if (m == kInitMm) return "init_mm";
  if (m < 0 || m >= nr_mms()) return "mm" + std::to_string(m);
  return mm_names[m - 1];
}

Config default_config() {
  Config cfg;
  cfg.cpus = 2;
  cfg.asid_bits = 2;
  cfg.mm_names = {"a", "b"};
  cfg.tasks = {{"A", TaskKind::user, 1, true}, {"B", TaskKind::user, 2, true}, {"K", TaskKind::kthread, 0xff, true}};
  cfg.fork_slots = 1;
  return cfg;
}

std::string finalize(Config &cfg) {
  if (cfg.cpus < 1 || cfg.cpus > kMaxCpus)
    return "cpus must be 1.." + std::to_string(kMaxCpus) + " (got " + std::to_string(cfg.cpus) + ")";
  if (cfg.fork_slots < 0) return "fork slots must be >= 0";
  std::vector<TaskSpec> all;
  for (int c = 0; c < cfg.cpus; c++) all.push_back({"swapper/" + std::to_string(c), TaskKind::idle, 0xff, true});
  for (const TaskSpec &t : cfg.tasks) {
    if (t.kind == TaskKind::idle) return "task " + t.name + ": idle threads are implicit (one per CPU)";
    all.push_back(t);
  }
  for (int f = 0; f < cfg.fork_slots; f++) {
    all.push_back({"fork" + std::to_string(f), TaskKind::user, 0xff, false});
    cfg.mm_names.push_back("forkmm" + std::to_string(f));
  }
  cfg.tasks = std::move(all);
  return validate(cfg);
}

std::string validate(const Config &cfg) {
  if (cfg.cpus < 1 || cfg.cpus > kMaxCpus)
    return "cpus must be 1.." + std::to_string(kMaxCpus) + " (got " + std::to_string(cfg.cpus) + ")";
  if (cfg.asid_bits < 2 || cfg.asid_bits > 16)
    return "asid-bits must be 2..16 (got " + std::to_string(cfg.asid_bits) + ")";
  if (cfg.asid_bits > kMaxModelAsidBits)
    return "asid-bits " + std::to_string(cfg.asid_bits) +
           ": the explicit-state model keeps asid_map in every state and supports up to " +
           std::to_string(kMaxModelAsidBits) + " bits; `ctxsw prove` covers 16";
  if (cfg.nr_tasks() > kMaxTasks)
    return std::to_string(cfg.nr_tasks()) + " tasks (idle threads and fork slots included): the model holds at most " +
           std::to_string(kMaxTasks);
  if (cfg.nr_mms() > kMaxMms)
    return std::to_string(cfg.nr_mms()) + " mms (init_mm and fork slots included): the model holds at most " +
           std::to_string(kMaxMms);
  std::vector<std::string> names;
  for (const TaskSpec &t : cfg.tasks) names.push_back(t.name);
  for (const std::string &m : cfg.mm_names) names.push_back(m);
  std::sort(names.begin(), names.end());
  if (auto d = std::adjacent_find(names.begin(), names.end()); d != names.end())
    return "name '" + *d + "' is used twice";
  for (int m = 1; m < cfg.nr_mms(); m++) {
    bool is_fork_slot = m >= cfg.nr_mms() - cfg.fork_slots;
    bool used = std::any_of(cfg.tasks.begin(), cfg.tasks.end(), [&](const TaskSpec &t) { return t.born && t.mm == m; });
    if (!used && !is_fork_slot) return "mm " + cfg.mm_names[m - 1] + " has no task using it";
  }
  for (const TaskSpec &t : cfg.tasks) {
    if (t.kind == TaskKind::user && t.born && (t.mm == 0xff || t.mm == 0 || t.mm >= cfg.nr_mms()))
      return "user task " + t.name + " needs an address space of its own (mm)";
    if (t.kind != TaskKind::user && t.mm != 0xff) return "kernel thread " + t.name + " cannot own an mm (mm = NULL)";
  }
  long available = cfg.num_user_asids() / (cfg.kpti ? 2 : 1);
  if (available - 1 <= cfg.cpus && !cfg.allow_unsafe)
    return "asid-bits " + std::to_string(cfg.asid_bits) + (cfg.kpti ? " with KPTI" : "") + " gives " +
           std::to_string(available - 1) + " usable ASIDs for " + std::to_string(cfg.cpus) +
           " CPUs: asids_update_limit() needs more ASIDs than CPUs (WARN_ON(num_available_asids - 1 <= "
           "num_possible_cpus())); --allow-unsafe-config explores it anyway (with one process per usable ASID "
           "and one more, e.g. --procs " +
           std::to_string(available) + " --kthreads 0 --fork 0 --no-exit, the counterexample takes seconds)";
  if (cfg.pinned && cfg.max_pinned_asids() <= 0 && !cfg.allow_unsafe)
    return "pinned ASIDs with asid-bits " + std::to_string(cfg.asid_bits) + " and " + std::to_string(cfg.cpus) +
           " CPUs: max_pinned_asids = " + std::to_string(cfg.max_pinned_asids()) +
           " (asids_update_limit(): available - cpus - 2) leaves nothing to pin";
  if (cfg.mutant == Mutant::cnp_no_reserved_ttbr0 && !cfg.cnp)
    return "mutant cnp_no_reserved_ttbr0 only changes CnP systems: add --cnp";
  return "";
}

}  // namespace ctxsw
