// SPDX-License-Identifier: GPL-2.0-only
//
// Schedules from the model: random walks over Model::successors, lenient
// replay (a step that is not enabled any more is skipped) and shrinking.
#include "ctxsw/asm/asm.h"
#include "internal.h"

namespace ctxsw::asmref {

Config switch_config() {
  Config cfg;
  cfg.cpus = 3;
  cfg.asid_bits = 4;
  cfg.mm_names = {"a", "b"};
  cfg.tasks = {{"A", TaskKind::user, 1, true},
               {"B", TaskKind::user, 1, true},
               {"C", TaskKind::user, 2, true},
               {"K", TaskKind::kthread, 0xff, true},
               {"L", TaskKind::kthread, 0xff, true}};
  cfg.fork_slots = 1;
  cfg.tlb_fills = false;  // TLB contents are not observable in the harness
  if (std::string e = finalize(cfg); !e.empty()) throw std::logic_error("switch_config: " + e);
  return cfg;
}

std::vector<Config> context_configs() {
  std::vector<Config> out;
  for (int variant = 0; variant < 3; variant++) {
    Config cfg;
    cfg.cpus = variant == 1 ? 3 : 2;
    cfg.asid_bits = variant == 0 ? 2 : 3;
    cfg.mm_names = {"a", "b"};
    cfg.tasks = {{"A", TaskKind::user, 1, true}, {"B", TaskKind::user, 2, true}, {"K", TaskKind::kthread, 0xff, true}};
    if (variant == 1) cfg.tasks.push_back({"C", TaskKind::user, 2, true});
    cfg.fork_slots = variant == 1 ? 3 : 4;
    cfg.tlb_fills = false;
    cfg.kthread_use_mm = variant == 2;
    cfg.pinned = variant == 2;
    cfg.renumber_generations = false;  // the kernel's generation numbers are compared as they are
    if (std::string e = finalize(cfg); !e.empty()) throw std::logic_error("context_configs: " + e);
    out.push_back(cfg);
  }
  // The shape of examples/rollover_race_*.scn: four processes on two CPUs
  // with three usable ASIDs, so that nearly every generation fills up and
  // rollovers meet fast paths on the other CPU.
  Config cfg;
  cfg.cpus = 2;
  cfg.asid_bits = 2;
  cfg.mm_names = {"a", "b", "c", "d"};
  cfg.tasks = {{"A", TaskKind::user, 1, true},
               {"B", TaskKind::user, 2, true},
               {"C", TaskKind::user, 3, true},
               {"D", TaskKind::user, 4, true},
               {"K", TaskKind::kthread, 0xff, true}};
  cfg.exit = false;
  cfg.tlb_fills = false;
  cfg.renumber_generations = false;
  if (std::string e = finalize(cfg); !e.empty()) throw std::logic_error("context_configs: " + e);
  out.push_back(cfg);
  // The same with KPTI (ASIDs in even/odd pairs: three usable of eight) and
  // CnP (check_and_switch_context() first installs the reserved TTBR0).
  cfg.asid_bits = 3;
  cfg.kpti = cfg.cnp = true;
  if (std::string e = validate(cfg); !e.empty()) throw std::logic_error("context_configs: " + e);
  out.push_back(cfg);
  return out;
}

bool in_allocator(Pc pc) {
  switch (pc) {
    case Pc::casc_cnp_reserved:
    case Pc::casc_read_id:
    case Pc::casc_read_active:
    case Pc::casc_gen_match:
    case Pc::casc_cmpxchg:
    case Pc::casc_lock:
    case Pc::casc_new_context:
    case Pc::nc_rollover:
    case Pc::fc_xchg:
    case Pc::nc_after_flush:
    case Pc::casc_set_id:
    case Pc::casc_unlock:
    case Pc::csm_reserved:
    case Pc::csm_read_asid:
    case Pc::csm_write_ttbr:
    case Pc::pin_lock:
    case Pc::pin_body:
    case Pc::pin_set:
      return true;
    default:
      return false;
  }
}

namespace {

// Sequential mode: while one CPU is inside context.c, only it steps.
bool allowed(const Model &m, const State &s, const Step &st, Mode mode) {
  if (mode != Mode::context_seq) return true;  // switch_to, context_interleaved: any step
  for (int c = 0; c < m.config().cpus; c++)
    if (c != st.cpu && in_allocator(s.cpu[c].pc)) return false;
  return true;
}

}  // namespace

Trace replay(const Model &m, const std::vector<Step> &steps, Mode mode) {
  Trace t;
  t.states.push_back(m.initial_state());
  for (const Step &st : steps) {
    if (!allowed(m, t.states.back(), st, mode)) continue;
    std::optional<State> n = m.apply(t.states.back(), st);
    if (!n) continue;
    t.steps.push_back(st);
    t.states.push_back(*n);
  }
  return t;
}

Trace walk(const Model &m, const std::vector<uint32_t> &choices, Mode mode) {
  Trace t;
  t.states.push_back(m.initial_state());
  std::vector<std::pair<Step, State>> succ;
  for (uint32_t ch : choices) {
    succ.clear();
    const State &s = t.states.back();
    m.successors(s, [&](const Step &st, const State &n) {
      if (allowed(m, s, st, mode)) succ.emplace_back(st, n);
    });
    if (succ.empty()) break;
    auto &[st, n] = succ[ch % succ.size()];
    t.steps.push_back(st);
    t.states.push_back(n);
  }
  return t;
}

Trace shrink(const Model &m, Mode mode, Trace t, const std::function<bool(const Trace &)> &fails, int budget) {
  bool progress = true;
  while (progress && budget > 0) {
    progress = false;
    for (size_t chunk = std::max<size_t>(1, t.steps.size() / 2); chunk >= 1 && budget > 0; chunk /= 2) {
      for (size_t i = 0; i + chunk <= t.steps.size() && budget > 0;) {
        std::vector<Step> cand(t.steps.begin(), t.steps.begin() + static_cast<long>(i));
        cand.insert(cand.end(), t.steps.begin() + static_cast<long>(i + chunk), t.steps.end());
        Trace c = replay(m, cand, mode);
        budget--;
        if (c.steps.size() < t.steps.size() && fails(c)) {
          t = std::move(c);
          progress = true;
        } else {
          i += chunk;
        }
      }
      if (chunk == 1) break;
    }
  }
  return t;
}

}  // namespace ctxsw::asmref
