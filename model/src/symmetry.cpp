// SPDX-License-Identifier: GPL-2.0-only
#include "ctxsw/model/symmetry.h"

#include <algorithm>
#include <cstring>

#include "kernel.h"

namespace ctxsw {

std::vector<std::vector<SymmetryUnit>> symmetry_groups(const Config &cfg) {
  std::vector<SymmetryUnit> procs, kthreads;
  const int first_fork_mm = cfg.nr_mms() - cfg.fork_slots;
  for (int m = 1; m < first_fork_mm; m++) {
    int users = 0, task = -1;
    for (int t = 0; t < cfg.nr_tasks(); t++)
      if (cfg.tasks[t].born && cfg.tasks[t].mm == m) users++, task = t;
    if (users == 1) procs.push_back({static_cast<uint8_t>(task), static_cast<uint8_t>(m)});
  }
  for (int t = 0; t < cfg.nr_tasks(); t++)
    if (cfg.tasks[t].kind == TaskKind::kthread && cfg.tasks[t].born)
      kthreads.push_back({static_cast<uint8_t>(t), kNone});
  std::vector<std::vector<SymmetryUnit>> groups;
  if (procs.size() > 1) groups.push_back(procs);
  if (kthreads.size() > 1) groups.push_back(kthreads);
  return groups;
}

State permute(const Config &cfg, const State &s, const TaskPerm &tp, const MmPerm &mp) {
  auto T = [&](uint8_t t) -> uint8_t { return t < kMaxTasks ? tp[t] : t; };
  auto M = [&](uint8_t m) -> uint8_t { return m < kMaxMms ? mp[m] : m; };  // kNone, kReservedPgd, kFreedMm stay
  State n = s;
  for (int t = 0; t < cfg.nr_tasks(); t++) {
    TaskState ts = s.task[t];
    ts.mm = M(ts.mm);
    ts.active_mm = M(ts.active_mm);
    ts.saved_ctx = T(ts.saved_ctx);
    ts.sw_prev = T(ts.sw_prev);
    ts.sw_next = T(ts.sw_next);
    ts.last = T(ts.last);
    n.task[tp[t]] = ts;
  }
  for (int m = 0; m < cfg.nr_mms(); m++) n.mm[mp[m]] = s.mm[m];
  for (int c = 0; c < cfg.cpus; c++) {
    CpuState &cs = n.cpu[c];
    cs.curr = T(cs.curr);
    cs.sp_el0 = T(cs.sp_el0);
    cs.regs = T(cs.regs);
    cs.fts_prev = T(cs.fts_prev);
    cs.ghost_prev_curr = T(cs.ghost_prev_curr);
    cs.prev_mm = M(cs.prev_mm);
    cs.ttbr0 = M(cs.ttbr0);
    cs.sm_prev = M(cs.sm_prev);
    cs.sm_next = M(cs.sm_next);
    cs.ref_mm = M(cs.ref_mm);
    cs.op_mm = M(cs.op_mm);
    for (int i = 0; i < cs.tlb.n; i++) cs.tlb.e[i].mm = M(cs.tlb.e[i].mm);
    kernel::tlb_canonicalise(cs.tlb);
  }
  return n;
}

void canonicalise(const Config &cfg, const std::vector<std::vector<SymmetryUnit>> &groups, State &s) {
  if (groups.empty()) return;
  TaskPerm tp;
  MmPerm mp;
  for (int i = 0; i < kMaxTasks; i++) tp[i] = static_cast<uint8_t>(i);
  for (int i = 0; i < kMaxMms; i++) mp[i] = static_cast<uint8_t>(i);
  State best = s;
  // Enumerate the product of the groups' permutations (groups are small).
  std::vector<std::vector<int>> order(groups.size());
  for (size_t g = 0; g < groups.size(); g++)
    for (size_t i = 0; i < groups[g].size(); i++) order[g].push_back(static_cast<int>(i));
  auto apply_group_perms = [&]() {
    for (size_t g = 0; g < groups.size(); g++)
      for (size_t i = 0; i < groups[g].size(); i++) {
        const SymmetryUnit &from = groups[g][i], &to = groups[g][order[g][i]];
        tp[from.task] = to.task;
        if (from.mm != kNone) mp[from.mm] = to.mm;
      }
  };
  for (;;) {
    apply_group_perms();
    State n = permute(cfg, s, tp, mp);
    if (std::memcmp(&n, &best, sizeof(State)) < 0) best = n;
    size_t g = 0;
    while (g < groups.size() && !std::next_permutation(order[g].begin(), order[g].end())) g++;
    if (g == groups.size()) break;
  }
  s = best;
}

}  // namespace ctxsw
