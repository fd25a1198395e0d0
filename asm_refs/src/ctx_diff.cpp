// SPDX-License-Identifier: GPL-2.0-only
//
// The context.c differential (sequential): each model call of
// check_and_switch_context()/cpu_switch_mm() or arm64_mm_context_get/put()
// is one call of the real code; after it, the allocator's whole state is
// compared field by field with the model's (equality, not just safety).
#include <fmt/format.h>

#include "ctxsw/asm/asm.h"
#include "internal.h"

namespace ctxsw::asmref {
namespace {

constexpr uint64_t kReservedPa = 0x7f000000;  // ctx_main.c: reserved_pg_dir
constexpr uint64_t kTtbr1Baddr = 0x40000000;  // ctx_main.c: swapper_pg_dir

std::string ctxid(uint64_t v) { return fmt::format("gen {} asid {}", v >> 16, v & 0xffff); }
std::string ctxid(CtxId v) { return fmt::format("gen {} asid {}", v.gen, v.asid); }

}  // namespace

uint64_t num(std::map<std::string, std::string> &kv, const std::string &k) {
  try {
    return std::stoull(kv.at(k));
  } catch (const std::exception &) {
    return ~0ull;
  }
}

std::vector<Field> compare(const Config &cfg, const State &s, std::map<std::string, std::string> &kv,
                           const std::vector<uint64_t> &flush_expected, const std::vector<uint64_t> &flush_real) {
  std::vector<Field> f;
  for (int m = 1; m < cfg.nr_mms(); m++)
    if (s.mm[m].live)
      f.push_back({cfg.mm_name(m) + "->context.id", ctxid(s.mm[m].id), ctxid(num(kv, fmt::format("id{}", m)))});
  f.push_back({"asid_generation", fmt::format("{}", s.generation), fmt::format("{}", num(kv, "gen"))});
  std::string map;
  for (int i = 0; i < cfg.num_user_asids(); i++) map += s.asid_map.test(static_cast<size_t>(i)) ? '1' : '0';
  f.push_back({"asid_map (bit 0 first)", map, kv["map"]});
  for (int c = 0; c < cfg.cpus; c++) {
    f.push_back({fmt::format("active_asids[{}]", c), ctxid(s.cpu[c].active), ctxid(num(kv, fmt::format("act{}", c)))});
    f.push_back(
        {fmt::format("reserved_asids[{}]", c), ctxid(s.cpu[c].reserved), ctxid(num(kv, fmt::format("res{}", c)))});
  }
  f.push_back({"tlb_flush_pending", fmt::format("{:#x}", s.tlb_flush_pending), fmt::format("{:#x}", num(kv, "pend"))});
  f.push_back({"cur_idx", fmt::format("{}", s.cur_idx), kv["cur_idx"]});
  f.push_back({"cpu_asid_lock", s.asid_lock == kNone ? "free" : fmt::format("held by cpu{}", s.asid_lock),
               kv["lock"] == "0" ? "free" : fmt::format("held by cpu{}", num(kv, "lock") - 1)});
  if (cfg.pinned) {
    std::string pmap;
    for (int i = 0; i < cfg.num_user_asids(); i++) pmap += s.pinned_asid_map.test(static_cast<size_t>(i)) ? '1' : '0';
    f.push_back({"pinned_asid_map (bit 0 first)", pmap, kv["pmap"]});
    f.push_back({"nr_pinned_asids", fmt::format("{}", s.nr_pinned_asids), fmt::format("{}", num(kv, "nrpin"))});
  }
  for (int c = 0; c < cfg.cpus; c++) {
    uint64_t t0 = num(kv, fmt::format("t0_{}", c)), t1 = num(kv, fmt::format("t1_{}", c));
    uint64_t baddr = t0 & ((1ull << 48) - 1) & ~1ull;
    std::string real_pgd = baddr == kReservedPa ? "reserved_pg_dir"
                           : baddr % 0x100000 == 0 && baddr >= 0x100000 && baddr / 0x100000 - 1 < uint64_t(cfg.nr_mms())
                               ? cfg.mm_name(int(baddr / 0x100000 - 1)) + "->pgd"
                               : fmt::format("{:#x}", baddr);
    const CpuState &cs = s.cpu[c];
    std::string model_pgd = cs.ttbr0 == kReservedPgd ? "reserved_pg_dir" : cfg.mm_name(cs.ttbr0) + "->pgd";
    f.push_back({fmt::format("cpu{} TTBR0_EL1.BADDR", c), model_pgd, real_pgd});
    f.push_back(
        {fmt::format("cpu{} TTBR0_EL1.ASID", c), fmt::format("{}", cs.ttbr0_asid), fmt::format("{}", t0 >> 48)});
    f.push_back(
        {fmt::format("cpu{} TTBR1_EL1.ASID", c), fmt::format("{}", cs.ttbr1_asid), fmt::format("{}", t1 >> 48)});
    f.push_back({fmt::format("cpu{} TTBR1_EL1.BADDR", c), fmt::format("{:#x}", kTtbr1Baddr),
                 fmt::format("{:#x}", t1 & ((1ull << 48) - 1))});
    f.push_back({fmt::format("cpu{} TLB flushes (tlbi vmalle1)", c), fmt::format("{}", flush_expected[size_t(c)]),
                 fmt::format("{}", flush_real[size_t(c)])});
  }
  return f;
}

std::optional<Mismatch> check_context(Harness &h, const Model &m, const Trace &t, Counters &n) {
  const Config &cfg = m.config();
  n.schedules++;
  std::string r = h.request(fmt::format("R {} {} {} {}", cfg.cpus, cfg.asid_bits, cfg.kpti ? 1 : 0, cfg.cnp ? 1 : 0));
  if (r != "OK") return Mismatch{0, "harness", "OK", r, "reset"};
  std::vector<std::string> pending(size_t(cfg.cpus));  // the real call of a CPU inside the allocator
  std::vector<uint64_t> flush_expected(size_t(cfg.cpus)), flush_real(size_t(cfg.cpus));
  for (size_t i = 0; i < t.steps.size(); i++) {
    const Step &st = t.steps[i];
    const State &before = t.states[i], &after = t.states[i + 1];
    const int c = st.cpu;
    const size_t cu = size_t(c);
    std::vector<std::string> cmds;
    std::string what;
    for (int mm = 1; mm < cfg.nr_mms(); mm++)
      if (!before.mm[mm].live && after.mm[mm].live) cmds.push_back(fmt::format("N {}", mm));
    bool was_in = in_allocator(before.cpu[c].pc), is_in = in_allocator(after.cpu[c].pc);
    if (!was_in && is_in) {
      bool pin = after.cpu[c].pc == Pc::pin_lock;
      int mm = pin ? after.cpu[c].op_mm : after.cpu[c].sm_next;
      pending[cu] = fmt::format("{} {} {}", pin ? 'P' : 'C', c, mm);
    }
    if (was_in && st.pc == Pc::casc_unlock && (before.tlb_flush_pending >> c) & 1) flush_expected[cu]++;
    if (was_in && !is_in) {
      cmds.push_back(pending[cu]);
      int mm = std::stoi(pending[cu].substr(4));
      what = fmt::format("cpu{} {}({}) [ends at step {}]", c,
                         pending[cu][0] == 'P' ? "arm64_mm_context_get" : "check_and_switch_context", cfg.mm_name(mm),
                         i + 1);
    } else if (!was_in && !is_in && st.action == Action::mm_context_put) {
      int mm = before.task[before.cpu[c].curr].mm;
      cmds.push_back(fmt::format("U {} {}", c, mm));
      what = fmt::format("cpu{} arm64_mm_context_put({}) [step {}]", c, cfg.mm_name(mm), i + 1);
    } else if (!was_in && !is_in &&
               (before.cpu[c].ttbr0 != after.cpu[c].ttbr0 || before.cpu[c].ttbr0_asid != after.cpu[c].ttbr0_asid)) {
      cmds.push_back(fmt::format("Z {}", c));
      what = fmt::format("cpu{} cpu_set_reserved_ttbr0() [step {}]", c, i + 1);
    }
    if (cmds.empty()) continue;
    for (const std::string &cmd : cmds) {
      r = h.request(cmd);
      if (cmd[0] != 'N') n.calls++;
      if (!r.starts_with("D ")) return Mismatch{i, "execution", "the call returns", r, what.empty() ? "new mm" : what};
    }
    if (what.empty()) continue;  // only a new mm: compared with the next call
    auto kv = parse_kv(r);
    for (int k = 0; k < cfg.cpus; k++) flush_real[size_t(k)] = num(kv, fmt::format("fl{}", k));
    for (const Field &f : compare(cfg, after, kv, flush_expected, flush_real))
      if (f.model != f.real) return Mismatch{i, f.name, f.model, f.real, what};
  }
  return std::nullopt;
}

}  // namespace ctxsw::asmref
