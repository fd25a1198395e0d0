// SPDX-License-Identifier: GPL-2.0-only
//
// The checker's performance machinery must not change any answer:
//  - packed states round-trip exactly (RapidCheck, random reachable states of
//    several configurations, both TLB encodings);
//  - the level-synchronous parallel explorer gives, for 1, 2 and 3 workers,
//    the figures of a plain serial breadth-first search written here
//    independently (states, transitions, depth, verdict, violated property,
//    the counterexample itself), also when it stops at a state limit;
//  - the canonical form is one: invariant under random renamings of random
//    reachable states, and a member of the state's orbit (RapidCheck);
//  - symmetry reduction stores exactly one state per orbit of the unreduced
//    reachable set, and keeps verdicts and shortest-counterexample lengths;
//  - bitstate hashing with room to spare skips nothing here, so its figures
//    are the serial search's too, but its verdict is never "holds"; with too
//    few bits it skips states, and says so.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <deque>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "ctxsw/checker/ctxsw_system.h"
#include "ctxsw/checker/explorer.h"
#include "ctxsw/model/symmetry.h"

namespace ctxsw {
namespace {

struct Shape {
  int cpus = 2, asid_bits = 2, procs = 2, kthreads = 1, fork = 0;
  bool exit = true, pinned = false, cnp = false, kthread_use_mm = false;
  Mutant mutant = Mutant::none;
};

Config make(const Shape &s) {
  Config cfg;
  cfg.cpus = s.cpus;
  cfg.asid_bits = s.asid_bits;
  cfg.mm_names.clear();
  cfg.tasks.clear();
  for (int p = 0; p < s.procs; p++) {
    cfg.mm_names.push_back(std::string(1, static_cast<char>('a' + p)));
    cfg.tasks.push_back(
        {std::string(1, static_cast<char>('A' + p)), TaskKind::user, static_cast<uint8_t>(p + 1), true});
  }
  for (int k = 0; k < s.kthreads; k++)
    cfg.tasks.push_back({k == 0 ? "K" : "K" + std::to_string(k + 1), TaskKind::kthread, 0xff, true});
  cfg.fork_slots = s.fork;
  cfg.exit = s.exit;
  cfg.pinned = s.pinned;
  cfg.cnp = s.cnp;
  cfg.kthread_use_mm = s.kthread_use_mm;
  cfg.mutant = s.mutant;
  std::string e = finalize(cfg);
  if (!e.empty()) throw std::runtime_error("bad test configuration: " + e);
  return cfg;
}

std::vector<Shape> pack_shapes() {
  std::vector<Shape> v;
  v.push_back({});  // bitmask TLBs
  v.push_back({.cpus = 2, .asid_bits = 2, .procs = 2, .kthreads = 1, .fork = 1});
  v.push_back({.cpus = 3, .asid_bits = 5, .procs = 2, .kthreads = 1, .fork = 0});  // TLBs as entry lists
  v.push_back({.cpus = 2, .asid_bits = 3, .procs = 2, .kthreads = 1, .fork = 0, .pinned = true});
  v.push_back({.cpus = 2, .asid_bits = 2, .procs = 2, .kthreads = 1, .fork = 0, .cnp = true});
  v.push_back({.cpus = 2, .asid_bits = 2, .procs = 2, .kthreads = 1, .fork = 0, .kthread_use_mm = true});
  v.push_back(
      {.cpus = 2, .asid_bits = 2, .procs = 2, .kthreads = 2, .fork = 0, .mutant = Mutant::kernel_to_kernel_grab});
  return v;
}

std::string packed(const checker::CtxswSystem &sys, const State &s) {
  std::string r(sys.packed_bytes(), '\0');
  sys.pack(s, reinterpret_cast<uint8_t *>(r.data()));
  return r;
}

TEST(CheckerPack, RecordIsFarSmallerThanTheStateRecord) {
  Model model(make({.cpus = 2, .asid_bits = 2, .procs = 2, .kthreads = 1, .fork = 1}));  // ctxsw check's default
  checker::CtxswSystem sys(model);
  EXPECT_LE(sys.packed_bytes(), 56u);
  EXPECT_EQ(sys.packed_bytes(), (sys.packed_bits() + 7) / 8);
}

RC_GTEST_PROP(CheckerPack, RandomReachableStatesRoundTripAndPackFromTheirParent, ()) {
  static const std::vector<Shape> shapes = pack_shapes();
  const Shape shape = *rc::gen::elementOf(shapes);
  const bool symmetric = *rc::gen::arbitrary<bool>();
  Model model(make(shape));
  checker::CtxswSystem sys(model, {}, symmetric);
  checker::CtxswSystem portable(model, {}, symmetric, checker::CtxswSystem::BitOps::portable);
  State s = sys.initial_states().front();
  const int steps = *rc::gen::inRange(0, 300);
  for (int i = 0; i <= steps; i++) {
    std::string rec = packed(sys, s);
    State back;
    sys.unpack(reinterpret_cast<const uint8_t *>(rec.data()), back);
    RC_ASSERT(back == s);
    RC_ASSERT(packed(sys, back) == rec);
    // The portable loops write and read the same records.
    RC_ASSERT(packed(portable, s) == rec);
    State back_portable;
    portable.unpack(reinterpret_cast<const uint8_t *>(rec.data()), back_portable);
    RC_ASSERT(back_portable == s);
    std::vector<State> next;
    sys.successors(s, [&](const Step &, const State &n) { next.push_back(n); });
    // The explorer packs a successor from its parent's record: the same bytes.
    for (const State &n : next) {
      std::string from_parent(sys.packed_bytes(), '\0');
      sys.pack_successor(s, reinterpret_cast<const uint8_t *>(rec.data()), n,
                         reinterpret_cast<uint8_t *>(from_parent.data()));
      RC_ASSERT(from_parent == packed(sys, n));
    }
    if (next.empty()) break;
    s = next[*rc::gen::inRange<size_t>(0, next.size())];
  }
}

// The message pack() throws for s (empty if it does not throw).
std::string pack_error(const checker::CtxswSystem &sys, const State &s) {
  std::vector<uint8_t> buf(sys.packed_bytes());
  try {
    sys.pack(s, buf.data());
  } catch (const std::length_error &e) {
    return e.what();
  }
  return "";
}

::testing::AssertionResult names(const std::string &error, const std::string &what) {
  if (error.find(what) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "pack() error \"" << error << "\" does not name " << what;
}

TEST(CheckerPack, ValueThatDoesNotFitThrowsNamingTheField) {
  Model model(make({}));
  checker::CtxswSystem sys(model);
  State s = model.initial_state();
  s.mm[1].count = 200;  // beyond the mm_count field of an unmutated configuration
  EXPECT_TRUE(names(pack_error(sys, s), "MmState.count"));
  s = model.initial_state();
  s.cpu[1].active.asid = 4;  // 2-bit ASIDs
  EXPECT_TRUE(names(pack_error(sys, s), "CpuState.active"));
  s = model.initial_state();
  s.task[0].sw_next = 9;  // a task the configuration does not have, but fits a byte
  EXPECT_TRUE(names(pack_error(sys, s), "TaskState.sw_next"));
}

TEST(CheckerPack, BytesTheConfigurationLeavesOutMustBeStateDefaults) {
  Model model(make({}));
  checker::CtxswSystem sys(model);
  State s = model.initial_state();
  EXPECT_EQ(pack_error(sys, s), "");
  s.cpu[0].pad_ = 1;  // a field of width 0
  EXPECT_TRUE(names(pack_error(sys, s), "CpuState.pad_"));
  s = model.initial_state();
  s.asid_map.set(7);  // beyond the 3 user ASIDs of 2-bit ASIDs
  EXPECT_TRUE(names(pack_error(sys, s), "asid_map"));

  Model cnp(make({.cnp = true}));
  checker::CtxswSystem cnp_sys(cnp);
  s = cnp.initial_state();
  EXPECT_EQ(pack_error(cnp_sys, s), "");
  s.cpu[1].tlb.n = 1;  // with CnP only CPU 0's TLB is modelled: no field covers CPU 1's
  EXPECT_TRUE(names(pack_error(cnp_sys, s), "CnP"));
}

// ---- the canonical form under symmetry ----

std::vector<Shape> symmetry_shapes() {
  std::vector<Shape> v;
  v.push_back({.procs = 2, .kthreads = 1, .fork = 1});
  v.push_back({.procs = 4, .kthreads = 0, .fork = 0, .exit = false});
  v.push_back({.procs = 3, .kthreads = 2, .fork = 1});
  v.push_back({.cpus = 3, .asid_bits = 3, .procs = 3, .kthreads = 2, .fork = 0});
  v.push_back({.cpus = 1, .procs = 3, .kthreads = 3, .fork = 0, .kthread_use_mm = true});
  v.push_back({.asid_bits = 3, .procs = 3, .kthreads = 0, .fork = 0, .pinned = true});
  return v;
}

// A random renaming of s: of the units of each symmetry group, and of the
// non-zero generation values (injectively).
State random_renaming(const Config &cfg, const std::vector<std::vector<SymmetryUnit>> &groups, const State &s) {
  TaskPerm tp;
  MmPerm mp;
  for (int i = 0; i < kMaxTasks; i++) tp[i] = static_cast<uint8_t>(i);
  for (int i = 0; i < kMaxMms; i++) mp[i] = static_cast<uint8_t>(i);
  for (const auto &g : groups) {
    std::vector<size_t> to(g.size());
    for (size_t i = 0; i < g.size(); i++) to[i] = i;
    for (size_t i = g.size(); i > 1; i--) std::swap(to[i - 1], to[*rc::gen::inRange<size_t>(0, i)]);
    for (size_t i = 0; i < g.size(); i++) {
      tp[g[i].task] = g[to[i]].task;
      if (g[i].mm != kNone) mp[g[i].mm] = g[to[i]].mm;
    }
  }
  State n = permute(cfg, s, tp, mp);
  if (!cfg.renumber_generations) return n;
  std::array<uint8_t, 256> gen{};  // 0 stays 0; others to distinct values in 1..255
  std::vector<uint8_t> pool;
  for (int i = 1; i < 256; i++) pool.push_back(static_cast<uint8_t>(i));
  for (size_t i = pool.size(); i > 1; i--) std::swap(pool[i - 1], pool[*rc::gen::inRange<size_t>(0, i)]);
  for (int i = 1; i < 256; i++) gen[i] = pool[static_cast<size_t>(i - 1)];
  auto G = [&](CtxId &id) { id.gen = gen[id.gen]; };
  for (int m = 0; m < cfg.nr_mms(); m++) G(n.mm[m].id);
  for (int c = 0; c < cfg.cpus; c++) {
    G(n.cpu[c].active);
    G(n.cpu[c].reserved);
    G(n.cpu[c].asid);
    G(n.cpu[c].old_active);
  }
  n.generation = gen[n.generation];
  return n;
}

// canonical(renaming(s)) == canonical(s) for random reachable states and random
// renamings, and canonical(s) is a member of s's orbit (same representative
// as s under the brute-force canonical form, which tries every renaming).
RC_GTEST_PROP(CheckerSymmetry, CanonicalFormIsInvariantAndInTheOrbit, ()) {
  static const std::vector<Shape> shapes = symmetry_shapes();
  const Shape shape = *rc::gen::elementOf(shapes);
  Model model(make(shape));
  const Config &cfg = model.config();
  const auto groups = symmetry_groups(cfg);
  RC_ASSERT(!groups.empty());
  checker::CtxswSystem sys(model);
  State s = model.initial_state();
  const int steps = *rc::gen::inRange(0, 200);
  for (int i = 0; i <= steps; i++) {
    State c = s;
    sys.canonical(c);
    State again = c;
    sys.canonical(again);
    RC_ASSERT(again == c);  // idempotent
    State fast = s;         // s comes from the model, renumbered: the checker's shortcut applies
    canonicalise_renumbered(cfg, groups, fast);
    RC_ASSERT(fast == c);
    State brute_s = s, brute_c = c;
    canonicalise_exhaustive(cfg, groups, brute_s);
    canonicalise_exhaustive(cfg, groups, brute_c);
    RC_ASSERT(brute_s == brute_c);  // c is in s's orbit
    for (int k = 0; k < 3; k++) {
      State r = random_renaming(cfg, groups, s);
      sys.canonical(r);
      RC_ASSERT(r == c);
    }
    std::vector<State> next;
    model.successors(s, [&](const Step &, const State &n) { next.push_back(n); });
    if (next.empty()) break;
    s = next[*rc::gen::inRange<size_t>(0, next.size())];  // a concrete (unreduced) walk
  }
}

// ---- a plain serial BFS, the reference for the explorer's figures ----

struct Reference {
  checker::Verdict verdict = checker::Verdict::holds;
  uint64_t states = 0, transitions = 0, queue_left = 0;
  int depth = 0;
  long violated = -1;
  std::vector<Step> labels;
};

Reference reference_bfs(const checker::CtxswSystem &sys, uint64_t max_states = 0) {
  Reference r;
  std::unordered_map<std::string, uint32_t> index;
  std::vector<State> states;
  std::vector<uint32_t> parent;
  std::vector<Step> via;
  std::vector<int> level;
  auto violated = [&](const State &s) -> long {
    for (size_t i = 0; i < sys.num_invariants(); i++)
      if (!sys.check(i, s).empty()) return static_cast<long>(i);
    return -1;
  };
  auto trace = [&](uint32_t i) {
    for (; parent[i] != i; i = parent[i]) r.labels.insert(r.labels.begin(), via[i]);
  };
  for (const State &s : sys.initial_states()) {
    if (!index.emplace(packed(sys, s), states.size()).second) continue;
    parent.push_back(static_cast<uint32_t>(states.size()));
    via.push_back({});
    level.push_back(0);
    states.push_back(s);
  }
  for (size_t head = 0; head < states.size(); head++) {
    r.depth = level[head];
    State cur = states[head];
    size_t succ = 0;
    long bad = -1;
    sys.successors(cur, [&](const Step &l, const State &n) {
      succ++;
      if (bad >= 0) return;
      r.transitions++;
      if (!index.emplace(packed(sys, n), states.size()).second) return;
      parent.push_back(static_cast<uint32_t>(head));
      via.push_back(l);
      level.push_back(level[head] + 1);
      states.push_back(n);
      if (long v = violated(n); v >= 0) bad = v;
    });
    if (bad >= 0) {
      r.verdict = checker::Verdict::violated;
      r.violated = bad;
      r.depth = level.back();
      r.states = states.size();
      trace(static_cast<uint32_t>(states.size() - 1));
      return r;
    }
    if (succ == 0 && sys.check_deadlock() && !sys.quiescent(cur)) {
      r.verdict = checker::Verdict::violated;
      r.violated = checker::kDeadlock;
      r.states = states.size();
      trace(static_cast<uint32_t>(head));
      return r;
    }
    if (max_states && states.size() >= max_states && head + 1 < states.size()) {
      r.verdict = checker::Verdict::incomplete;
      r.states = states.size();
      r.queue_left = states.size() - head - 1;
      return r;
    }
  }
  r.states = states.size();
  return r;
}

struct ParallelCase {
  Shape shape;
  uint64_t max_states = 0;
};

class CheckerParallel : public ::testing::TestWithParam<ParallelCase> {};

TEST_P(CheckerParallel, SameFiguresAsASerialSearchForAnyNumberOfWorkers) {
  const ParallelCase &pc = GetParam();
  Model model(make(pc.shape));
  checker::CtxswSystem sys(model);
  Reference ref = reference_bfs(sys, pc.max_states);
  std::vector<Step> first_trace;
  for (unsigned w : {1u, 2u, 3u}) {
    SCOPED_TRACE("workers " + std::to_string(w));
    checker::Limits lim;
    lim.workers = w;
    lim.max_states = pc.max_states;
    auto r = checker::explore(sys, lim);
    EXPECT_EQ(r.workers, w);
    EXPECT_EQ(r.verdict, ref.verdict);
    EXPECT_EQ(r.states, ref.states);
    EXPECT_EQ(r.transitions, ref.transitions);
    EXPECT_EQ(r.depth, ref.depth);
    EXPECT_EQ(r.violated, ref.violated);
    if (ref.verdict == checker::Verdict::incomplete) {
      EXPECT_EQ(r.queue_left, ref.queue_left);
    }
    if (ref.verdict == checker::Verdict::violated) {
      ASSERT_EQ(r.trace_labels.size(), ref.labels.size());
      ASSERT_EQ(r.trace_states.size(), ref.labels.size() + 1);
      if (w == 1) first_trace = r.trace_labels;
      EXPECT_EQ(r.trace_labels, first_trace);  // the same counterexample with any number of workers
      // The trace is a concrete execution of the model ending in the violation.
      State s = model.initial_state();
      EXPECT_TRUE(r.trace_states.front() == s);
      for (size_t i = 0; i < r.trace_labels.size(); i++) {
        auto n = model.apply(s, r.trace_labels[i]);
        ASSERT_TRUE(n.has_value());
        s = *n;
        EXPECT_TRUE(r.trace_states[i + 1] == s);
      }
      if (r.violated >= 0) {
        EXPECT_FALSE(sys.check(static_cast<size_t>(r.violated), s).empty());
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, CheckerParallel,
    ::testing::Values(
        ParallelCase{{.procs = 2, .kthreads = 1, .fork = 0, .exit = false}},
        ParallelCase{{.procs = 3, .kthreads = 0, .fork = 0, .exit = false}},
        ParallelCase{{.cpus = 1, .procs = 2, .kthreads = 2, .fork = 1}},
        ParallelCase{{.procs = 2, .kthreads = 1, .fork = 1}, 20000},
        ParallelCase{{.procs = 2, .kthreads = 1, .fork = 0, .mutant = Mutant::switch_to_two_args}},
        ParallelCase{{.procs = 2, .kthreads = 1, .fork = 0, .mutant = Mutant::no_mmgrab_user_to_kernel}},
        ParallelCase{{.procs = 2, .kthreads = 2, .fork = 0, .mutant = Mutant::kernel_to_kernel_grab}},
        ParallelCase{{.procs = 2, .kthreads = 1, .fork = 0, .mutant = Mutant::fastpath_plain_store}},
        ParallelCase{{.procs = 3, .kthreads = 0, .fork = 0, .exit = false, .mutant = Mutant::reuse_without_bitmap}}));

// With a bit array far larger than these searches need, bitstate hashing
// (bit_filter.h) takes no new state for a seen one here: the same states,
// transitions, depth and counterexample as the serial search, for 1 and 2
// workers. A search that ends is still only "incomplete", as it cannot know
// that it skipped nothing.
TEST_P(CheckerParallel, BitstateSearchWithRoomToSpareHasTheSerialFigures) {
  const ParallelCase &pc = GetParam();
  Model model(make(pc.shape));
  checker::CtxswSystem sys(model);
  Reference ref = reference_bfs(sys, pc.max_states);
  for (unsigned w : {1u, 2u}) {
    SCOPED_TRACE("workers " + std::to_string(w));
    checker::Limits lim;
    lim.workers = w;
    lim.max_states = pc.max_states;
    lim.bitstate_bytes = 16 << 20;
    auto r = checker::explore(sys, lim);
    EXPECT_EQ(r.states, ref.states);
    EXPECT_EQ(r.transitions, ref.transitions);
    EXPECT_EQ(r.depth, ref.depth);
    EXPECT_EQ(r.violated, ref.violated);
    EXPECT_EQ(r.bitstate.bytes, size_t{16} << 20);
    EXPECT_EQ(r.bitstate.hashes, 3u);
    EXPECT_GT(r.bitstate.fill, 0.0);
    EXPECT_LT(r.bitstate.expected_misses, 1.0);
    if (ref.verdict == checker::Verdict::holds) {
      EXPECT_EQ(r.verdict, checker::Verdict::incomplete);
      EXPECT_EQ(r.stop_reason, checker::kBitstateReason);
      EXPECT_EQ(r.queue_left, 0u);
    } else {
      EXPECT_EQ(r.verdict, ref.verdict);
      EXPECT_EQ(r.queue_left, ref.queue_left);
      EXPECT_EQ(r.trace_labels, ref.labels);
    }
  }
}

// The 73-step fastpath_xchg counterexample (issue 7's benchmark) is found
// 191 k states into a bitstate search, long after the roots of its first
// steps were freed: the trace is rebuilt from parent links read back from
// the temporary file, and is the exact search's, step for step.
TEST(CheckerBitstate, CounterexampleThroughFreedStatesIsTheExactSearchs) {
  Model model(make({.procs = 4, .kthreads = 0, .fork = 0, .exit = false, .mutant = Mutant::fastpath_xchg}));
  checker::CtxswSystem sys(model);
  checker::Limits lim;
  lim.workers = 2;
  auto exact = checker::explore(sys, lim);
  lim.bitstate_bytes = 64 << 20;
  auto bits = checker::explore(sys, lim);
  ASSERT_EQ(exact.verdict, checker::Verdict::violated);
  ASSERT_EQ(bits.verdict, checker::Verdict::violated);
  EXPECT_GT(bits.states, 100000u);
  EXPECT_EQ(bits.states, exact.states);
  EXPECT_EQ(bits.violated, exact.violated);
  EXPECT_EQ(bits.trace_labels, exact.trace_labels);
  ASSERT_EQ(bits.trace_states.size(), exact.trace_states.size());
  for (size_t i = 0; i < bits.trace_states.size(); i++) EXPECT_TRUE(bits.trace_states[i] == exact.trace_states[i]) << i;
  // Less memory than the exact store, bits included.
  EXPECT_LT(bits.visited_bytes - bits.bitstate.bytes, exact.visited_bytes / 2);
}

// Too few bits to tell the states apart: the search skips states (fewer
// than the exact count), ends, and its figures say how likely that was. Which
// states it skips depends only on the states, not on the threads' timing:
// the same figures for 1, 2 and 3 workers.
TEST(CheckerBitstate, TooFewBitsSkipStatesTheSameForAnyNumberOfWorkersAndSaySo) {
  Model model(make({.procs = 3, .kthreads = 0, .fork = 0, .exit = false}));
  checker::CtxswSystem sys(model);
  auto exact = checker::explore(sys);
  ASSERT_EQ(exact.verdict, checker::Verdict::holds);
  std::optional<checker::Result<checker::CtxswSystem>> first;
  for (unsigned w : {1u, 2u, 3u}) {
    SCOPED_TRACE("workers " + std::to_string(w));
    checker::Limits lim;
    lim.workers = w;
    lim.bitstate_bytes = 4096;
    lim.bitstate_hashes = 2;
    auto r = checker::explore(sys, lim);
    EXPECT_EQ(r.verdict, checker::Verdict::incomplete);
    EXPECT_EQ(r.stop_reason, checker::kBitstateReason);
    EXPECT_LT(r.states, exact.states);
    EXPECT_GT(r.states, exact.states / 10);
    EXPECT_GT(r.bitstate.false_positive_rate, 0.01);
    EXPECT_GT(r.bitstate.expected_misses, 100.0);
    if (!first) first = r;
    EXPECT_EQ(r.states, first->states);
    EXPECT_EQ(r.transitions, first->transitions);
    EXPECT_EQ(r.depth, first->depth);
    EXPECT_EQ(r.bitstate.fill, first->bitstate.fill);
  }
}

// ---- symmetry ----

TEST(CheckerSymmetry, ReducedCountIsTheNumberOfOrbitsOfTheUnreducedReachableSet) {
  for (Shape shape : {Shape{.procs = 2, .kthreads = 1, .fork = 0, .exit = false},
                      Shape{.procs = 3, .kthreads = 0, .fork = 0, .exit = false},
                      Shape{.cpus = 1, .procs = 2, .kthreads = 2, .fork = 1}}) {
    Model model(make(shape));
    const Config &cfg = model.config();
    auto groups = symmetry_groups(cfg);
    ASSERT_FALSE(groups.empty());
    // Every concrete reachable state, by a search of the model itself.
    std::set<std::string> seen, orbits;
    std::deque<State> queue{model.initial_state()};
    auto bytes = [](const State &s) { return std::string(reinterpret_cast<const char *>(&s), sizeof s); };
    seen.insert(bytes(queue.front()));
    while (!queue.empty()) {
      State s = queue.front();
      queue.pop_front();
      State c = s;
      canonicalise_exhaustive(cfg, groups, c);  // brute force: not the checker's code
      orbits.insert(bytes(c));
      model.successors(s, [&](const Step &, const State &n) {
        if (seen.insert(bytes(n)).second) queue.push_back(n);
      });
    }
    checker::CtxswSystem plain(model, {}, false), reduced(model, {}, true);
    auto rp = checker::explore(plain);
    auto rr = checker::explore(reduced);
    EXPECT_EQ(rp.states, seen.size());
    EXPECT_EQ(rr.states, orbits.size());
    EXPECT_LT(rr.states, rp.states);
    EXPECT_EQ(rp.verdict, checker::Verdict::holds);
    EXPECT_EQ(rr.verdict, checker::Verdict::holds);
    EXPECT_EQ(rp.depth, rr.depth);
  }
}

TEST(CheckerSymmetry, SameVerdictAndCounterexampleLengthWithAndWithout) {
  for (Mutant m : {Mutant::switch_to_two_args, Mutant::no_mmgrab_user_to_kernel, Mutant::drop_in_context_switch,
                   Mutant::kernel_to_kernel_grab, Mutant::fastpath_plain_store}) {
    SCOPED_TRACE(std::string(mutant_info(m).name));
    Model model(make({.procs = 2, .kthreads = 2, .fork = 0, .mutant = m}));
    checker::CtxswSystem plain(model, {}, false), reduced(model, {}, true);
    checker::Limits lim;
    lim.workers = 2;
    auto rp = checker::explore(plain, lim);
    auto rr = checker::explore(reduced, lim);
    EXPECT_EQ(rp.verdict, rr.verdict);
    EXPECT_EQ(rp.depth, rr.depth);
    EXPECT_EQ(rp.trace_labels.size(), rr.trace_labels.size());
    EXPECT_LE(rr.states, rp.states);
  }
}

}  // namespace
}  // namespace ctxsw
