// SPDX-License-Identifier: GPL-2.0-only
//
// The context.c differential with interleavings (issue 5 item 4): every
// emulated CPU runs its call of the real code (check_and_switch_context(),
// arm64_mm_context_get/put(), cpu_set_reserved_ttbr0()) on a coroutine of its
// own in the harness (target/ctx_coro.c). The shim stops the coroutine before
// each shared access (a yield point). For each model step of a CPU inside
// the allocator the driver checks that the real CPU is stopped at the access
// the step performs, resumes it across exactly the accesses of the step
// (yield_map.cpp), and then compares the whole shared state field by field.
// The model thereby chooses which CPU proceeds at every yield point, and the
// real code has to follow the model's interleaving access by access.
#include <fmt/format.h>

#include "ctxsw/asm/asm.h"
#include "ctxsw/model/limits.h"
#include "internal.h"
#include "yield_map.h"

namespace ctxsw::asmref {
namespace {

constexpr const char *kAccessField = "access (the yield point the CPU is stopped at)";

int in_allocator_count(const Config &cfg, const State &s) {
  int n = 0;
  for (int c = 0; c < cfg.cpus; c++) n += in_allocator(s.cpu[c].pc);
  return n;
}

}  // namespace

std::optional<Mismatch> check_context_interleaved(Harness &h, const Model &m, const Trace &t, Counters &n) {
  const Config &cfg = m.config();
  n.schedules++;
  std::string r = h.request(fmt::format("R {} {} {} {}", cfg.cpus, cfg.asid_bits, cfg.kpti ? 1 : 0, cfg.cnp ? 1 : 0));
  if (r != "OK") return Mismatch{0, "harness", "OK", r, "reset"};
  // at[c]: the access CPU c's coroutine is stopped before ("" = no call).
  std::vector<std::string> at(size_t(cfg.cpus));
  std::vector<uint64_t> flush_expected(size_t(cfg.cpus)), flush_real(size_t(cfg.cpus));
  bool interleaved = false, race = false;
  for (size_t i = 0; i < t.steps.size(); i++) {
    const Step &st = t.steps[i];
    const State &before = t.states[i], &after = t.states[i + 1];
    const int c = st.cpu;
    std::string &here = at[size_t(c)];
    const std::string what = fmt::format("step {}: {}", i + 1, describe_step(cfg, st));
    bool touched = false;
    auto fail = [&](std::string field, std::string model, std::string real) {
      return Mismatch{i, std::move(field), std::move(model), std::move(real), what};
    };
    // Starts a call on c's coroutine and runs it to its first yield point.
    auto start = [&](char op, int mm) -> std::optional<Mismatch> {
      if (!here.empty()) return fail(kAccessField, "no call running on this cpu", here);
      std::string y = h.request(fmt::format("S {} {} {}", c, op, mm));
      if (!y.starts_with("Y ") || y.starts_with("Y error")) return fail("execution", "the call starts", y);
      here = y.substr(2);
      touched = true;
      return std::nullopt;
    };
    // Resumes c across the accesses `acc`, checking each before it happens.
    auto perform = [&](const std::vector<Access> &acc) -> std::optional<Mismatch> {
      for (const Access &a : acc) {
        if (here != a.str()) return fail(kAccessField, a.str(), here.empty() ? "no call running" : here);
        std::string y = h.request(fmt::format("G {}", c));
        n.yields++;
        if (!y.starts_with("Y ") || y.starts_with("Y error")) return fail("execution", "the call continues", y);
        here = y.substr(2);
        touched = true;
      }
      return std::nullopt;
    };
    auto finished = [&]() -> std::optional<Mismatch> {
      if (here != "ret") return fail(kAccessField, "ret (the call has returned)", here);
      here.clear();
      n.calls++;
      return std::nullopt;
    };

    for (int mm = 1; mm < cfg.nr_mms(); mm++)
      if (!before.mm[mm].live && after.mm[mm].live) {
        r = h.request(fmt::format("N {}", mm));
        if (!r.starts_with("D ")) return fail("execution", "new mm", r);
      }
    const bool was_in = in_allocator(before.cpu[c].pc), is_in = in_allocator(after.cpu[c].pc);
    std::optional<Mismatch> bad;
    if (was_in) {
      if (in_allocator_count(cfg, before) > 1) interleaved = true;
      if (st.pc == Pc::nc_rollover || st.pc == Pc::fc_xchg)
        for (int o = 0; o < cfg.cpus; o++)
          if (o != c && (before.cpu[o].pc == Pc::casc_gen_match || before.cpu[o].pc == Pc::casc_cmpxchg)) race = true;
      if ((bad = perform(step_accesses(cfg, before, st)))) return bad;
      if (st.pc == Pc::casc_unlock && (before.tlb_flush_pending >> c) & 1) flush_expected[size_t(c)]++;
      if (!is_in && (bad = finished())) return bad;
      if (is_in && here == "ret") return fail(kAccessField, fmt::format("next: {}", pc_name(after.cpu[c].pc)), "ret");
    } else if (is_in) {
      bool pin = after.cpu[c].pc == Pc::pin_lock;
      if ((bad = start(pin ? 'P' : 'C', pin ? after.cpu[c].op_mm : after.cpu[c].sm_next))) return bad;
    } else if (st.action == Action::mm_context_put) {
      // arm64_mm_context_put(): one model step, the whole call
      if ((bad = start('U', st.arg)) || (bad = perform(step_accesses(cfg, before, st))) || (bad = finished()))
        return bad;
    } else if (before.cpu[c].ttbr0 != after.cpu[c].ttbr0 || before.cpu[c].ttbr0_asid != after.cpu[c].ttbr0_asid) {
      // switch_mm() to init_mm: cpu_set_reserved_ttbr0(), within the model's step
      if ((bad = start('Z', 0)) || (bad = perform({{"msr_ttbr0_el1", "-"}})) || (bad = finished())) return bad;
    }
    // A step that runs no real code (scheduler, fork, exit, ... outside the
    // allocator) changes none of the compared fields in the model either;
    // the state is compared after every step that does.
    if (!touched) continue;
    r = h.request("D");
    if (!r.starts_with("D ")) return fail("execution", "state dump", r);
    auto kv = parse_kv(r);
    for (int k = 0; k < cfg.cpus; k++) flush_real[size_t(k)] = num(kv, fmt::format("fl{}", k));
    for (const Field &f : compare(cfg, after, kv, flush_expected, flush_real))
      if (f.model != f.real) return fail(f.name, f.model, f.real);
  }
  if (interleaved) n.interleaved++;
  if (race) n.fastpath_races++;
  return std::nullopt;
}

}  // namespace ctxsw::asmref
