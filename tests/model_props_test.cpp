// SPDX-License-Identifier: GPL-2.0-only
//
// Random executions of the unmutated model keep every invariant, in every
// optional-feature configuration; the checker's reduced (packed, symmetry-
// canonical) transition relation simulates the model step for step.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include "ctxsw/properties/properties.h"
#include "test_util.h"

namespace ctxsw {
namespace {

std::vector<std::pair<Step, State>> successors(const Model &m, const State &s) {
  std::vector<std::pair<Step, State>> out;
  m.successors(s, [&](const Step &st, const State &n) { out.emplace_back(st, n); });
  return out;
}

void random_walk_keeps_invariants(const Config &cfg) {
  Model m(cfg);
  State s = m.initial_state();
  const auto steps = *rc::gen::inRange(1, 300);
  for (int i = 0; i < steps; i++) {
    auto next = successors(m, s);
    if (next.empty()) {
      RC_ASSERT(m.quiescent(s));  // sched.no_deadlock
      break;
    }
    size_t pick = *rc::gen::inRange<size_t>(0, next.size());
    s = next[pick].second;
    for (const Property &p : all_properties()) {
      if (p.kind != PropertyKind::invariant) continue;
      std::string why = p.check(cfg, s);
      if (!why.empty()) RC_FAIL(std::string(p.name) + " after " + describe_step(cfg, next[pick].first) + ": " + why);
    }
  }
}

Config with(Config cfg, void (*edit)(Config &)) {
  cfg.tasks.erase(cfg.tasks.begin(), cfg.tasks.begin() + cfg.cpus);  // finalize() adds the idle threads again
  edit(cfg);
  cfg.tasks.erase(cfg.tasks.end() - cfg.fork_slots, cfg.tasks.end());
  cfg.mm_names.erase(cfg.mm_names.end() - cfg.fork_slots, cfg.mm_names.end());
  std::string e = finalize(cfg);
  if (!e.empty()) throw std::runtime_error(e);
  return cfg;
}

const Config kBase = test::procs_config(2, 3, 1, 2, true, Mutant::none, 2);

RC_GTEST_PROP(RandomWalk, DefaultFeatures, ()) { random_walk_keeps_invariants(kBase); }
RC_GTEST_PROP(RandomWalk, KthreadUseMm, ()) {
  random_walk_keeps_invariants(with(kBase, [](Config &c) { c.kthread_use_mm = true; }));
}
RC_GTEST_PROP(RandomWalk, PinnedAsids, ()) {
  random_walk_keeps_invariants(with(kBase, [](Config &c) { c.pinned = true, c.asid_bits = 3; }));
}
RC_GTEST_PROP(RandomWalk, Kpti, ()) {
  random_walk_keeps_invariants(with(kBase, [](Config &c) { c.kpti = true, c.asid_bits = 3; }));
}
RC_GTEST_PROP(RandomWalk, CnpFourCpus, ()) {
  random_walk_keeps_invariants(with(kBase, [](Config &c) { c.cnp = true, c.cpus = 4, c.asid_bits = 3; }));
}

// rc::state: the model's concrete execution is the reference; the system
// under test is the checker's view (packed, canonical states and their
// successors). Every model step must be matched by a checker successor.
struct Walk {
  State concrete;
};
struct CheckerView {
  const checker::CtxswSystem *sys;
  std::vector<uint8_t> packed;  // canonical, packed
};

struct TakeStep : rc::state::Command<Walk, CheckerView> {
  size_t choice = *rc::gen::inRange<size_t>(0, 1000);
  const ctxsw::Model *model = nullptr;
  TakeStep() = default;
  explicit TakeStep(const ctxsw::Model *m) : model(m) {}
  void checkPreconditions(const Walk &w) const override {
    RC_PRE(model != nullptr);
    RC_PRE(!successors(*model, w.concrete).empty());
  }
  void apply(Walk &w) const override {
    auto next = successors(*model, w.concrete);
    w.concrete = next[choice % next.size()].second;
  }
  void run(const Walk &w, CheckerView &view) const override {
    auto next = successors(*model, w.concrete);
    State target = next[choice % next.size()].second;
    canonicalise(model->config(), symmetry_groups(model->config()), target);
    std::vector<uint8_t> want(view.sys->packed_bytes());
    view.sys->pack(target, want.data());
    State cur;
    view.sys->unpack(view.packed.data(), cur);
    bool found = false;
    view.sys->successors(cur, [&](const Step &, const State &n) {
      std::vector<uint8_t> got(view.sys->packed_bytes());
      view.sys->pack(n, got.data());
      found |= got == want;
    });
    RC_ASSERT(found);
    State back;
    view.sys->unpack(want.data(), back);
    RC_ASSERT(back == target);  // pack/unpack round trip
    view.packed = want;
  }
  void show(std::ostream &os) const override { os << "TakeStep(" << choice << ")"; }
};

RC_GTEST_PROP(CheckerView, SimulatesTheModel, ()) {
  Model model(kBase);
  checker::CtxswSystem sys(model);
  Walk w{model.initial_state()};
  CheckerView view{&sys, std::vector<uint8_t>(sys.packed_bytes())};
  sys.pack(sys.initial_states().front(), view.packed.data());
  rc::state::check(w, view, [&](const Walk &) { return rc::state::gen::execOneOfWithArgs<TakeStep>()(&model); });
}

}  // namespace
}  // namespace ctxsw
