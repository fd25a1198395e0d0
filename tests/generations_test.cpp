// SPDX-License-Identifier: GPL-2.0-only
//
// The generation abstraction (docs/generations.md) against an unabstracted
// run: for every depth d, the renumbered image of the states reached within d
// steps with raw generation numbers is exactly the set reached within d steps
// with renumbering, and the verdicts agree. The configuration rolls over within the compared depth.
#include "ctxsw/model/generations.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace ctxsw
