// SPDX-License-Identifier: GPL-2.0-only
//
// The cpu_switch_to differential: every switch_to step of a model trace is
// executed by the real cpu_switch_to on the harness's tasks, and what the
// resumed task observes is compared with what the model predicts.
#include <fmt/format.h>

#include "ctxsw/asm/asm.h"
#include "internal.h"

namespace ctxsw::asmref {

std::optional<Mismatch> check_switch(Harness &h, const Model &m, const Extracted &x, const Trace &t, uint64_t seed,
                                     Counters &n) {
  const Config &cfg = m.config();
  n.schedules++;
  std::string r = h.request(fmt::format("R {} {} {}", cfg.cpus, cfg.nr_tasks(), seed));
  if (r != "OK") return Mismatch{0, "harness", "OK", r, "reset"};
  auto name = [&](int task) { return task >= 0 && task < cfg.nr_tasks() ? cfg.task_name(task) : "?"; };
  for (size_t i = 0; i < t.steps.size(); i++) {
    const Step &st = t.steps[i];
    if (st.action != Action::step || st.pc != Pc::switch_to) continue;
    const State &before = t.states[i], &after = t.states[i + 1];
    int c = st.cpu;
    int prev = before.cpu[c].sp_el0, next = after.cpu[c].sp_el0;
    std::string what =
        fmt::format("cpu{} cpu_switch_to({}, {}) [step {}]", c, cfg.task_name(prev), cfg.task_name(next), i + 1);
    r = h.request(fmt::format("S {} {}", c, next));
    n.switches++;
    if (!r.starts_with("D "))
      return Mismatch{i, "execution", "the switch returns into " + cfg.task_name(next), r, what};
    auto kv = parse_kv(r);
    auto task_field = [&](const char *f) {
      try {
        return name(std::stoi(kv[f]));
      } catch (const std::exception &) {
        return std::string("?");
      }
    };
    // Compared in this order; the first difference is reported.
    struct Expect {
      const char *field;
      std::string model, real;
    };
    std::vector<Expect> ex = {
        {"prev", cfg.task_name(prev), task_field("prev")},
        {"resumed task (sp, stack)", cfg.task_name(after.cpu[c].regs), task_field("resumed")},
        {"callee-saved registers of the resumed task (x19-x29, sp, lr)", "preserved",
         kv["regs"] == "ok" ? "preserved" : kv["regs"] + " differs"},
        {"prev->thread.cpu_context", "equal to prev's registers",
         kv["saved"] == "ok" ? "equal to prev's registers" : kv["saved"] + " differs"},
        {"x0 (last)", cfg.task_name(after.task[next].last), task_field("last")},
        {"sp_el0 (current)", cfg.task_name(after.cpu[c].sp_el0), task_field("sp_el0")},
        {"msr sp_el0 count", "1", kv["msr_sp_el0"]},
        {"DAIF after the switch", kv["daif_before"], kv["daif_after"]},
    };
    if (x.daif_fix)
      ex.push_back({"DAIF at msr sp_el0", "3c0 (all masked)",
                    kv["daif_at_msr"] == "3c0" ? "3c0 (all masked)" : kv["daif_at_msr"]});
    if (x.scs) {
      ex.push_back({"x18 (scs_sp) after the switch", cfg.task_name(next), task_field("scs")});
      ex.push_back({"prev's thread_info.scs_sp", "prev's x18", kv["scs_saved"] == "ok" ? "prev's x18" : "other"});
    }
    if (x.ptrauth) ex.push_back({"APIAKEY_EL1 (kernel keys)", cfg.task_name(next), task_field("keys")});
    for (const Expect &e : ex)
      if (e.model != e.real) return Mismatch{i, e.field, e.model, e.real, what};
  }
  return std::nullopt;
}

}  // namespace ctxsw::asmref
