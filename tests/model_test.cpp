// SPDX-License-Identifier: GPL-2.0-only
//
// Unit tests of single model actions and of each property's predicate.
#include <gtest/gtest.h>

#include "ctxsw/model/describe.h"
#include "ctxsw/model/symmetry.h"
#include "ctxsw/properties/properties.h"
#include "test_util.h"

namespace ctxsw {
namespace {

std::string field(const Config &cfg, const State &s, const std::string &name) {
  for (const Field &f : describe_state(cfg, s))
    if (f.name == name) return f.value;
  return "<none>";
}

State take(const Model &m, const State &s, Step st) {
  auto n = m.apply(s, st);
  if (!n) throw std::runtime_error(describe_step(m.config(), st) + " is not enabled");
  return *n;
}

// Schedules `next` on `cpu` and runs that CPU until it is back at running.
State switch_to_task(const Model &m, State s, int cpu, const std::string &next) {
  const Config &cfg = m.config();
  uint8_t t = 0;
  while (cfg.tasks[t].name != next) t++;
  s = take(m, s, Step{static_cast<uint8_t>(cpu), Action::schedule, Pc::running, t});
  while (s.cpu[cpu].pc != Pc::running)
    s = take(m, s, Step{static_cast<uint8_t>(cpu), Action::step, s.cpu[cpu].pc, kNone});
  return s;
}

const Config kUk = test::config_from(
    "cpus 1\nasid-bits 4\nmm a\nmm c\ntask A user a\ntask B kthread\ntask D kthread\ntask C user c\n");

TEST(ContextSwitch, UserToKernelGrabsKernelToKernelTransfersKernelToUserDropsViaPrevMm) {
  Model m(kUk);
  State s = switch_to_task(m, m.initial_state(), 0, "A");
  EXPECT_EQ(field(kUk, s, "mm.a.mm_count"), "1");
  s = switch_to_task(m, s, 0, "B");  // user -> kernel: lazy + mmgrab
  EXPECT_EQ(field(kUk, s, "mm.a.mm_count"), "2");
  EXPECT_EQ(field(kUk, s, "task.B.active_mm"), "a");
  EXPECT_EQ(field(kUk, s, "cpu0.ttbr0"), "a");
  s = switch_to_task(m, s, 0, "D");  // kernel -> kernel: transfer
  EXPECT_EQ(field(kUk, s, "mm.a.mm_count"), "2");
  EXPECT_EQ(field(kUk, s, "task.B.active_mm"), "-");
  EXPECT_EQ(field(kUk, s, "task.D.active_mm"), "a");
  s = switch_to_task(m, s, 0, "C");  // kernel -> user: switch + mmdrop via rq->prev_mm
  EXPECT_EQ(field(kUk, s, "mm.a.mm_count"), "1");
  EXPECT_EQ(field(kUk, s, "cpu0.prev_mm"), "-");
  EXPECT_EQ(field(kUk, s, "cpu0.ttbr0"), "c");
  for (const Property &p : all_properties()) {
    if (p.kind == PropertyKind::invariant) {
      EXPECT_EQ(p.check(kUk, s), "") << p.name;
    }
  }
}

TEST(ContextSwitch, UserToUserSameMmSkipsSwitchMm) {
  Config cfg = test::config_from("cpus 1\nasid-bits 4\nmm a\ntask A user a\ntask A2 user a\n");
  Model m(cfg);
  State s = switch_to_task(m, m.initial_state(), 0, "A");
  s = take(m, s, Step{0, Action::schedule, Pc::running, 2});  // A2
  s = take(m, s, Step{0, Action::step, Pc::cs_mm, kNone});
  EXPECT_EQ(s.cpu[0].pc, Pc::switch_to);  // switch_mm(): prev == next
}

TEST(SwitchTo, DeliversLastAndFinishActsOnIt) {
  Config cfg =
      test::config_from("cpus 2\nasid-bits 4\nmm a\nmm b\nmm x\ntask A user a\ntask B user b\ntask X user x\n");
  Model m(cfg);
  State s = switch_to_task(m, m.initial_state(), 0, "A");
  s = switch_to_task(m, s, 1, "X");
  s = switch_to_task(m, s, 0, "B");
  s = take(m, s, Step{1, Action::schedule, Pc::running, 2});  // A on cpu1
  while (s.cpu[1].pc != Pc::fts_finish_task) s = take(m, s, Step{1, Action::step, s.cpu[1].pc, kNone});
  EXPECT_EQ(field(cfg, s, "task.A.last"), "X");
  EXPECT_EQ(field(cfg, s, "cpu1.finish_prev"), "X");
  s = take(m, s, Step{1, Action::step, Pc::fts_finish_task, kNone});
  EXPECT_EQ(s.task[4].on_cpu, 0);  // X (tasks: swapper/0, swapper/1, A, B, X)
  EXPECT_EQ(s.task[2].on_cpu, 1);
}

TEST(Exit, ExitMmThenTaskDeadReapsAndFreesTheMm) {
  Config cfg = test::config_from("cpus 1\nasid-bits 4\nmm a\ntask A user a\n");
  Model m(cfg);
  State s = switch_to_task(m, m.initial_state(), 0, "A");
  s = take(m, s, Step{0, Action::exit_mm, Pc::running, 1});
  EXPECT_EQ(field(cfg, s, "mm.a.mm_count"), "2");  // exit_mm(): mmgrab(mm)
  while (s.cpu[0].pc != Pc::running) s = take(m, s, Step{0, Action::step, s.cpu[0].pc, kNone});
  EXPECT_EQ(field(cfg, s, "mm.a.mm_users"), "0");
  EXPECT_EQ(field(cfg, s, "mm.a.mm_count"), "1");  // only the lazy reference of A itself
  EXPECT_EQ(field(cfg, s, "task.A.mm"), "-");
  EXPECT_EQ(field(cfg, s, "task.A.active_mm"), "a");
  s = take(m, s, Step{0, Action::do_task_dead, Pc::running, kNone});
  s = switch_to_task(m, s, 0, "swapper/0");  // the last schedule: transfer to idle, then idle
  EXPECT_EQ(field(cfg, s, "task.A.state"), "reaped");
  EXPECT_EQ(field(cfg, s, "task.swapper/0.active_mm"), "a");
  EXPECT_EQ(field(cfg, s, "mm.a.state"), "live");
}

TEST(Fork, ProcessGetsAFreshMmThreadSharesOne) {
  Config cfg = test::config_from("cpus 1\nasid-bits 4\nfork 2\nmm a\ntask A user a\n");
  Model m(cfg);
  State s = switch_to_task(m, m.initial_state(), 0, "A");
  s = take(m, s, Step{0, Action::fork_process, Pc::running, 2});
  EXPECT_EQ(field(cfg, s, "mm.forkmm0.mm_users"), "1");
  EXPECT_EQ(field(cfg, s, "mm.forkmm0.context_id"), "0");
  s = take(m, s, Step{0, Action::fork_thread, Pc::running, 3});
  EXPECT_EQ(field(cfg, s, "mm.a.mm_users"), "2");
  EXPECT_EQ(field(cfg, s, "task.fork1.mm"), "a");
}

TEST(KthreadUseMm, GrabsSwitchesAndDropsTheOldLazyMm) {
  Config cfg = test::config_from(
      "cpus 1\nasid-bits 4\noption kthread-use-mm\nmm a\nmm b\ntask A user a\ntask B user b\ntask K kthread\n");
  Model m(cfg);
  State s = switch_to_task(m, m.initial_state(), 0, "A");
  s = switch_to_task(m, s, 0, "K");                                 // K borrows a
  s = take(m, s, Step{0, Action::kthread_use_mm, Pc::running, 2});  // mmget_not_zero(b)
  while (s.cpu[0].pc != Pc::running) s = take(m, s, Step{0, Action::step, s.cpu[0].pc, kNone});
  EXPECT_EQ(field(cfg, s, "task.K.mm"), "b");
  EXPECT_EQ(field(cfg, s, "cpu0.ttbr0"), "b");
  EXPECT_EQ(field(cfg, s, "mm.a.mm_count"), "1");
  EXPECT_EQ(field(cfg, s, "mm.b.mm_count"), "2");
  EXPECT_EQ(field(cfg, s, "mm.b.mm_users"), "2");
  s = take(m, s, Step{0, Action::kthread_unuse_mm, Pc::running, 2});
  while (s.cpu[0].pc != Pc::running) s = take(m, s, Step{0, Action::step, s.cpu[0].pc, kNone});
  EXPECT_EQ(field(cfg, s, "task.K.mm"), "-");
  EXPECT_EQ(field(cfg, s, "task.K.active_mm"), "b");
  EXPECT_EQ(field(cfg, s, "mm.b.mm_users"), "1");
}

// Every property must be able to fail: a hand-broken state violates it.
TEST(Properties, EachPredicateDetectsABrokenState) {
  Config cfg = test::config_from("cpus 2\nasid-bits 3\nmm a\nmm b\ntask A user a\ntask B user b\ntask K kthread\n");
  Model m(cfg);
  State ok = switch_to_task(m, m.initial_state(), 0, "A");
  ok = switch_to_task(m, ok, 1, "B");
  auto broken = [&](const char *name, auto mutate) {
    const Property *p = property_by_name(name);
    ASSERT_NE(p, nullptr) << name;
    EXPECT_EQ(p->check(cfg, ok), "") << name;
    State s = ok;
    mutate(s);
    EXPECT_NE(p->check(cfg, s), "") << name;
  };
  broken("mm.no_use_after_free", [](State &s) { s.mm[1].live = 0, s.mm[1].freed = 1; });
  broken("mm.count_exact", [](State &s) { s.mm[1].count++; });
  broken("mm.no_leak", [](State &s) {
    s.mm[2].users = 0;
    for (auto &t : s.task) {
      if (t.mm == 2 || t.active_mm == 2) t.mm = t.active_mm = kNone;
    }
    for (auto &c : s.cpu) {
      if (c.ttbr0 == 2) c.ttbr0 = kReservedPgd;
    }
  });
  broken("switch.last_is_previous", [](State &s) {
    s.cpu[0].pc = Pc::fts_finish_task, s.cpu[0].ghost_prev_curr = 0, s.cpu[0].fts_prev = 4, s.task[2].last = 0;
  });
  broken("switch.context_preserved", [](State &s) { s.cpu[0].regs = 3; });
  broken("sched.single_cpu", [](State &s) { s.cpu[1].curr = s.cpu[0].curr; });
  broken("asid.unique_in_generation", [](State &s) { s.mm[2].id = s.mm[1].id; });
  broken("asid.reserved_respected", [](State &s) { s.mm[2].id = CtxId{s.generation, s.cpu[0].ttbr1_asid}; });
  broken("tlb.no_stale_alias", [](State &s) {
    Tlb &t = s.cpu[0].tlb;
    t.e[t.n++] = TlbEntry{s.cpu[0].ttbr1_asid, 2};
  });
  broken("ttbr.matches_current", [](State &s) { s.cpu[0].ttbr1_asid ^= 1; });
  broken("asid.rollover_finds_free", [](State &s) { s.alloc_failed = 1; });
}

TEST(Config, KernelPreconditionsAreEnforced) {
  Config cfg = test::procs_config(2, 2, 1, 0, true);
  cfg.cpus = 3;
  EXPECT_NE(validate(cfg).find("asids_update_limit"), std::string::npos);
  cfg.allow_unsafe = true;
  EXPECT_EQ(validate(cfg), "");
  cfg = test::procs_config(2, 2, 1, 0, true);
  cfg.asid_bits = 9;
  EXPECT_NE(validate(cfg).find("ctxsw prove"), std::string::npos);
  cfg.asid_bits = 3;
  cfg.pinned = true;  // 8 ASIDs - 2 CPUs - 2 = 4 pinnable
  EXPECT_EQ(validate(cfg), "");
  cfg.asid_bits = 2;
  EXPECT_NE(validate(cfg).find("max_pinned_asids"), std::string::npos);
}

TEST(Generations, RenumberingKeepsOnlyEqualityAndTheNewest) {
  Config cfg = test::procs_config(1, 3, 0, 0, false, Mutant::none, 3);
  State a = Model(cfg).initial_state(), b = a;
  // a: mm a in an older generation than mm b; b: the other way round.
  a.generation = 9, a.mm[1].id = CtxId{3, 1}, a.mm[2].id = CtxId{5, 2}, a.mm[3].id = CtxId{9, 3};
  b.generation = 7, b.mm[1].id = CtxId{6, 1}, b.mm[2].id = CtxId{2, 2}, b.mm[3].id = CtxId{7, 3};
  auto step_renumber = [&](State s) {
    // Renumbering runs after every step; apply it through an enabled step's
    // neighbour: the initial schedule of A is enabled in both.
    auto n = Model(cfg).apply(s, Step{0, Action::schedule, Pc::running, 1});
    return *n;
  };
  State ra = step_renumber(a), rb = step_renumber(b);
  EXPECT_EQ(ra.generation, 3);
  EXPECT_EQ(ra.mm[3].id.gen, 3);  // the current generation is the newest
  EXPECT_NE(ra.mm[1].id.gen, ra.mm[2].id.gen);
  EXPECT_TRUE(ra == rb);  // relative age of stale generations does not matter
}

}  // namespace
}  // namespace ctxsw
