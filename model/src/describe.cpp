// SPDX-License-Identifier: GPL-2.0-only
#include "ctxsw/model/describe.h"

#include "ctxsw/model/pc.h"

namespace ctxsw {
namespace {

std::string task_run(TaskRun r) {
  switch (r) {
    case TaskRun::unborn:
      return "unborn";
    case TaskRun::running:
      return "TASK_RUNNING";
    case TaskRun::dead:
      return "TASK_DEAD";
    case TaskRun::reaped:
      return "reaped";
  }
  return "?";
}

std::string bitset_str(const std::bitset<kMaxAsids> &b, int n) {
  std::string out = "{";
  for (int i = 0; i < n; i++)
    if (b.test(i)) out += (out.size() > 1 ? "," : "") + std::to_string(i);
  return out + "}";
}

std::string tlb_str(const Config &cfg, const Tlb &t) {
  std::string out = "{";
  for (int i = 0; i < t.n; i++)
    out += (i ? " " : "") + std::to_string(t.e[i].asid) + ":" +
           (t.e[i].mm == kFreedMm ? std::string("(freed)") : cfg.mm_name(t.e[i].mm));
  return out + "}";
}

std::string caller_str(Caller c) {
  switch (c) {
    case Caller::none:
      return "-";
    case Caller::context_switch:
      return "context_switch";
    case Caller::kthread_use_mm:
      return "kthread_use_mm";
    case Caller::mm_context_get:
      return "arm64_mm_context_get";
  }
  return "?";
}

}  // namespace

std::string format_ctxid(CtxId id) {
  if (id.is_zero()) return "0";
  return "g" + std::to_string(id.gen) + ":" + std::to_string(id.asid);
}

std::vector<Field> describe_state(const Config &cfg, const State &s) {
  std::vector<Field> f;
  auto add = [&](std::string n, std::string v) { f.push_back({std::move(n), std::move(v)}); };
  auto tn = [&](uint8_t t) { return cfg.task_name(t); };
  auto mn = [&](uint8_t m) { return cfg.mm_name(m); };
  for (int c = 0; c < cfg.cpus; c++) {
    const CpuState &cs = s.cpu[c];
    std::string p = "cpu" + std::to_string(c) + ".";
    add(p + "curr", tn(cs.curr));
    add(p + "sp_el0", tn(cs.sp_el0));
    add(p + "regs", tn(cs.regs));
    add(p + "prev_mm", mn(cs.prev_mm));
    add(p + "pc", std::string(pc_name(cs.pc)));
    add(p + "ttbr0", cs.ttbr0 == kReservedPgd ? "reserved_pg_dir" : mn(cs.ttbr0));
    add(p + "ttbr0_asid", std::to_string(cs.ttbr0_asid));
    add(p + "ttbr1_asid", std::to_string(cs.ttbr1_asid));
    add(p + "active_asids", format_ctxid(cs.active));
    add(p + "reserved_asids", format_ctxid(cs.reserved));
    if (!cfg.cnp || c == 0) add(cfg.cnp ? "tlb" : p + "tlb", tlb_str(cfg, cs.tlb));
    add(p + "caller", caller_str(cs.caller));
    add(p + "switch_mm", cs.sm_next == kNone ? "-" : mn(cs.sm_prev) + "->" + mn(cs.sm_next));
    add(p + "asid", format_ctxid(cs.asid));
    add(p + "old_active_asid", format_ctxid(cs.old_active));
    add(p + "flush_idx", std::to_string(cs.idx));
    add(p + "local_mm_ref", mn(cs.ref_mm));
    add(p + "mm_operand", mn(cs.op_mm));
    add(p + "finish_prev", tn(cs.fts_prev));
    add(p + "prev_state_dead", std::to_string(cs.prev_state));
    add(p + "ghost_prev_curr", tn(cs.ghost_prev_curr));
  }
  for (int t = 0; t < cfg.nr_tasks(); t++) {
    const TaskState &ts = s.task[t];
    std::string p = "task." + cfg.tasks[t].name + ".";
    add(p + "state", task_run(ts.run));
    add(p + "on_cpu", std::to_string(ts.on_cpu));
    add(p + "mm", mn(ts.mm));
    add(p + "active_mm", mn(ts.active_mm));
    add(p + "cpu_context", tn(ts.saved_ctx));
    add(p + "exited_mm", std::to_string(ts.exited_mm));
    add(p + "prev", tn(ts.sw_prev));
    add(p + "next", tn(ts.sw_next));
    add(p + "last", tn(ts.last));
  }
  for (int m = 0; m < cfg.nr_mms(); m++) {
    const MmState &ms = s.mm[m];
    std::string p = "mm." + cfg.mm_name(m) + ".";
    add(p + "state", ms.freed ? "freed" : ms.live ? "live" : "unborn");
    add(p + "mm_users", std::to_string(ms.users));
    add(p + "mm_count", std::to_string(ms.count));
    add(p + "context_id", format_ctxid(ms.id));
    add(p + "pinned", std::to_string(ms.pinned));
    add(p + "underflow", std::to_string(ms.underflow));
  }
  add("asid_generation", "g" + std::to_string(s.generation));
  add("asid_map", bitset_str(s.asid_map, cfg.num_user_asids()));
  if (cfg.pinned || cfg.kpti) add("pinned_asid_map", bitset_str(s.pinned_asid_map, cfg.num_user_asids()));
  std::string pending = "{";
  for (int c = 0; c < cfg.cpus; c++)
    if (s.tlb_flush_pending & (1u << c)) pending += (pending.size() > 1 ? "," : "") + std::to_string(c);
  add("tlb_flush_pending", pending + "}");
  add("cpu_asid_lock", s.asid_lock == kNone ? "free" : "cpu" + std::to_string(s.asid_lock));
  add("cur_idx", std::to_string(s.cur_idx));
  add("nr_pinned_asids", std::to_string(s.nr_pinned_asids));
  add("alloc_failed", std::to_string(s.alloc_failed));
  return f;
}

std::vector<Field> changed_fields(const Config &cfg, const State &a, const State &b) {
  std::vector<Field> fa = describe_state(cfg, a), fb = describe_state(cfg, b), out;
  for (size_t i = 0; i < fb.size() && i < fa.size(); i++)
    if (fa[i].value != fb[i].value) out.push_back(fb[i]);
  return out;
}

}  // namespace ctxsw
