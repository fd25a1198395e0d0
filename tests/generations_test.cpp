// SPDX-License-Identifier: GPL-2.0-only
//
// The generation abstraction (docs/generations.md) against an unabstracted
// run: for every depth d, the renumbered image of the states reached within d
// steps with raw generation numbers is exactly the set reached within d steps
// with renumbering, and the verdicts agree. The configuration rolls over within the compared depth.
#include "ctxsw/model/generations.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "ctxsw/properties/properties.h"
#include "test_util.h"

namespace ctxsw {
namespace {

using Bytes = std::vector<uint8_t>;

// One BFS level at a time, without symmetry, packing with the given system.
struct Levels {
  std::vector<std::set<Bytes>> levels;
  int max_generation = 0;
  bool violation = false;
};

// States are compared as packed by `packer` (one packing for both runs).
Levels bfs(const Config &cfg, int depth, const std::function<State(const State &)> &image,
           const checker::CtxswSystem &packer) {
  Model m(cfg);
  checker::CtxswSystem sys(m, {}, /*symmetry=*/false);
  Levels out;
  std::set<Bytes> seen;
  std::vector<State> frontier{m.initial_state()};
  auto key = [&](const State &s) {
    Bytes b(packer.packed_bytes());
    packer.pack(image(s), b.data());
    return b;
  };
  for (int d = 0; d <= depth && !frontier.empty(); d++) {
    std::set<Bytes> level;
    std::vector<State> next;
    for (const State &s : frontier) {
      level.insert(key(s));
      out.max_generation = std::max<int>(out.max_generation, s.generation);
      for (size_t i = 0; i < sys.num_invariants(); i++) out.violation |= !sys.check(i, s).empty();
      m.successors(s, [&](const Step &, const State &n) {
        Bytes k(sys.packed_bytes());
        sys.pack(n, k.data());
        if (seen.insert(k).second) next.push_back(n);
      });
    }
    if (!out.levels.empty()) level.insert(out.levels.back().begin(), out.levels.back().end());
    out.levels.push_back(level);  // cumulative: everything within d steps
    frontier = std::move(next);
  }
  return out;
}

TEST(GenerationAbstraction, MatchesAnUnabstractedRunLevelByLevel) {
  Config abstracted = test::procs_config(1, 4, 0, 0, false);
  Config raw = abstracted;
  raw.renumber_generations = false;
  const int depth = 110;
  auto renumber = [&](const State &s) {
    State c = s;
    renumber_generations(abstracted, c);
    return c;
  };
  Model abs_model(abstracted);
  checker::CtxswSystem packer(abs_model, {}, /*symmetry=*/false);
  Levels a = bfs(
      abstracted, depth, [](const State &s) { return s; }, packer);
  Levels r = bfs(raw, depth, renumber, packer);
  EXPECT_GE(r.max_generation, 3) << "the compared depth must include rollovers";
  ASSERT_EQ(a.levels.size(), r.levels.size());
  for (size_t d = 0; d < a.levels.size(); d++) {
    EXPECT_EQ(a.levels[d], r.levels[d]) << "within " << d << " steps";
    if (a.levels[d] != r.levels[d]) break;
  }
  EXPECT_EQ(a.violation, r.violation);
  EXPECT_FALSE(a.violation);
}

// renumber_generations() against its definition, written the obvious way, on
// arbitrary generation values (renumbered or not, large or small, the global
// one anywhere): the values other than 0 and the global one become 1, 2, ...
// in the order of their first slot (each mm, then each CPU's active,
// reserved, asid and old_active), the global one the next value.
TEST(GenerationAbstraction, RenumberingMatchesItsDefinition) {
  const Config cfg = test::procs_config(4, 5, 0, 0, false, Mutant::none, 4);
  auto slots = [&](State &s) {
    std::vector<uint8_t *> v;
    for (int m = 0; m < cfg.nr_mms(); m++) v.push_back(&s.mm[m].id.gen);
    for (int c = 0; c < cfg.cpus; c++)
      for (CtxId *id : {&s.cpu[c].active, &s.cpu[c].reserved, &s.cpu[c].asid, &s.cpu[c].old_active})
        v.push_back(&id->gen);
    return v;
  };
  std::mt19937 rng(7);
  for (int i = 0; i < 200000; i++) {
    State s;
    // Mostly small values, often already renumbered, sometimes not.
    const int range = 1 + static_cast<int>(rng() % 8);
    for (uint8_t *g : slots(s)) *g = static_cast<uint8_t>(rng() % 4 == 0 ? 0 : 1 + rng() % range);
    if (rng() % 16 == 0) *slots(s)[rng() % slots(s).size()] = static_cast<uint8_t>(60 + rng() % 196);
    s.generation = static_cast<uint8_t>(rng() % 3 == 0 ? rng() % 256 : 1 + rng() % (range + 2));
    State want = s;
    std::vector<uint8_t> order;
    for (uint8_t *g : slots(want))
      if (*g != 0 && *g != want.generation && std::find(order.begin(), order.end(), *g) == order.end())
        order.push_back(*g);
    const uint8_t global = static_cast<uint8_t>(order.size() + 1);
    for (uint8_t *g : slots(want))
      if (*g != 0)
        *g = *g == want.generation
                 ? global
                 : static_cast<uint8_t>(1 + (std::find(order.begin(), order.end(), *g) - order.begin()));
    want.generation = global;
    State got = s;
    renumber_generations(cfg, got);
    ASSERT_TRUE(got == want) << "case " << i;
  }
}

}  // namespace
}  // namespace ctxsw
