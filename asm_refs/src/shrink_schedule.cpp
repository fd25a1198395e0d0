// SPDX-License-Identifier: GPL-2.0-only
//
// Interleaved schedules (issue 5 item 4): generated CPU first, shrunk by
// removing whole CPUs and then steps, so that a mismatch is reported with
// the fewest CPUs and steps that still show it.
#include <algorithm>
#include <string>

#include "ctxsw/asm/asm.h"
#include "ctxsw/model/limits.h"

namespace ctxsw::asmref {

namespace {

// A CPU inside check_and_switch_context() between two lock-free accesses
// (not holding cpu_asid_lock): the windows the kernel comment's races need.
bool lock_free_window(const State &s, int c) {
  switch (s.cpu[c].pc) {
    case Pc::casc_read_id:
    case Pc::casc_read_active:
    case Pc::casc_gen_match:
    case Pc::casc_cmpxchg:
    case Pc::csm_read_asid:
      return true;
    default:
      return false;
  }
}

}  // namespace

Trace walk_cpus(const Model &m, const std::vector<uint32_t> &choices) {
  const int cpus = m.config().cpus;
  Trace t;
  t.states.push_back(m.initial_state());
  std::vector<std::vector<std::pair<Step, State>>> by_cpu(static_cast<size_t>(cpus));
  std::vector<int> ready;
  uint32_t parked = 0;  // CPUs left standing in a lock-free window
  for (uint32_t ch : choices) {
    const State &s = t.states.back();
    for (auto &v : by_cpu) v.clear();
    m.successors(s, [&](const Step &st, const State &n) { by_cpu[st.cpu].emplace_back(st, n); });
    // Bits 27-31 all 0 (1 in 32): the parked CPUs are released.
    if (((ch >> 27) & 31) == 0) parked = 0;
    ready.clear();
    for (int c = 0; c < cpus; c++)
      if (!by_cpu[size_t(c)].empty() && !((parked >> c) & 1)) ready.push_back(c);
    if (ready.empty())
      for (int c = 0; c < cpus; c++)
        if (!by_cpu[size_t(c)].empty()) ready.push_back(c);
    if (ready.empty()) break;
    // Low byte: the CPU that proceeds; bits 8-23: which of its steps.
    const int c = ready[(ch & 0xff) % ready.size()];
    auto &succ = by_cpu[size_t(c)];
    auto &[st, n] = succ[((ch >> 8) & 0xffff) % succ.size()];
    // Bit 24: a CPU that stops in a lock-free window is parked there.
    if (lock_free_window(n, c) && ((ch >> 24) & 1)) parked |= 1u << c;
    t.steps.push_back(st);
    t.states.push_back(n);
  }
  return t;
}

Config drop_cpu(const Config &cfg, int k) {
  Config c = cfg;
  c.cpus--;
  c.tasks.erase(c.tasks.begin() + k);  // swapper/k (idle threads come first)
  for (int i = 0; i < c.cpus; i++) c.tasks[size_t(i)].name = "swapper/" + std::to_string(i);
  return c;
}

std::vector<Step> drop_cpu(const std::vector<Step> &steps, int k) {
  std::vector<Step> out;
  for (Step st : steps) {
    if (st.cpu == k) continue;
    if (st.cpu > k) st.cpu--;
    bool task_arg =
        st.action == Action::schedule || st.action == Action::fork_process || st.action == Action::fork_thread;
    if (task_arg && st.arg != kNone) {
      if (st.arg == k) continue;  // k's idle thread
      if (st.arg > k) st.arg--;
    }
    out.push_back(st);
  }
  return out;
}

Shrunk shrink_schedule(const Config &cfg, Mode mode, Trace t,
                       const std::function<bool(const Model &, const Trace &)> &fails, int budget) {
  Shrunk s{cfg, std::move(t), 0};
  bool progress = true;
  while (progress && s.attempts < budget) {
    progress = false;
    // Whole CPUs: out of the configuration (fewer flush_context() iterations), else only their steps.
    for (int k = s.cfg.cpus - 1; k >= 0 && s.attempts < budget; k--) {
      if (s.cfg.cpus > 1) {
        Config c = drop_cpu(s.cfg, k);
        if (validate(c).empty()) {
          Model m(c);
          Trace cand = replay(m, drop_cpu(s.trace.steps, k), mode);
          s.attempts++;
          if (fails(m, cand)) {
            s.cfg = c;
            s.trace = std::move(cand);
            progress = true;
            continue;
          }
        }
      }
      std::vector<Step> rest;
      for (const Step &st : s.trace.steps)
        if (st.cpu != k) rest.push_back(st);
      if (rest.size() == s.trace.steps.size()) continue;
      Model m(s.cfg);
      Trace cand = replay(m, rest, mode);
      s.attempts++;
      if (cand.steps.size() < s.trace.steps.size() && fails(m, cand)) {
        s.trace = std::move(cand);
        progress = true;
      }
    }
    // Episodes: one CPU's steps from an environment action (a pick, a fork,
    // ...) up to its next one, i.e. one pass through a kernel path. Removing
    // a single step of it would leave the rest disabled.
    for (size_t e = s.trace.steps.size(); e-- > 0 && s.attempts < budget;) {
      if (e >= s.trace.steps.size() || s.trace.steps[e].action == Action::step) continue;
      const int c = s.trace.steps[e].cpu;
      std::vector<Step> rest;
      bool in_episode = false;
      for (size_t i = 0; i < s.trace.steps.size(); i++) {
        const Step &st = s.trace.steps[i];
        if (i == e)
          in_episode = true;
        else if (in_episode && st.cpu == c && st.action != Action::step)
          in_episode = false;
        if (!(in_episode && st.cpu == c)) rest.push_back(st);
      }
      Model m(s.cfg);
      Trace cand = replay(m, rest, mode);
      s.attempts++;
      if (cand.steps.size() < s.trace.steps.size() && fails(m, cand)) {
        s.trace = std::move(cand);
        progress = true;
      }
    }
    // Steps: chunks, then single steps (shrink()).
    Model m(s.cfg);
    size_t before = s.trace.steps.size();
    int left = budget - s.attempts;
    if (left <= 0) break;
    int used = 0;
    s.trace = shrink(
        m, mode, s.trace,
        [&](const Trace &c) {
          used++;
          return fails(m, c);
        },
        left);
    s.attempts += used;
    if (s.trace.steps.size() < before) progress = true;
  }
  return s;
}

}  // namespace ctxsw::asmref
