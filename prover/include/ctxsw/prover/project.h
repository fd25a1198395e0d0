// SPDX-License-Identifier: GPL-2.0-only
//
// Between the executable model and the Z3 encoding: the allocator's part of
// a model State as plain values (projection), those values as Z3 terms, the
// values of a Z3 model, and a readable rendering of them (counterexamples).
#pragma once

#include <z3++.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ctxsw/model/config.h"
#include "ctxsw/model/state.h"
#include "ctxsw/prover/encoding.h"

namespace ctxsw::prover {

struct CtxVal {
  int64_t g = 0;
  uint32_t a = 0;
  friend bool operator==(const CtxVal &, const CtxVal &) = default;
};

// The allocator state over finitely many CPUs [0, cpus) and mms [0, mms);
// ASID bits listed are those in [0, 2^asid_bits), or the `asids` listed.
struct Concrete {
  int cpus = 0, mms = 0, asid_bits = 0;
  int64_t gen = 1;
  std::vector<uint32_t> asids;  // which ASIDs `map` describes
  std::vector<bool> map;        // asid_map bit of asids[i]
  std::vector<CtxVal> act, res, loc, old;
  std::vector<bool> pend;
  std::vector<CtxVal> id;
  std::vector<bool> live, freed;
  uint32_t cur_idx = 1;
  bool held = false;
  uint32_t owner = 0;
  bool failed = false;
  std::vector<APc> pc;
  std::vector<uint32_t> idx;
  std::vector<uint64_t> sm;
  std::vector<uint32_t> hw;
  friend bool operator==(const Concrete &, const Concrete &) = default;
};

// The program point of the encoding for a model program point.
APc project_pc(Pc pc);
// The allocator part of a model state (dead locals as 0, see docs/proof.md).
Concrete project(const Config &cfg, const State &s);
// Concrete values as terms (indices outside the instance: 0 / false / out).
AState to_terms(const Encoding &e, const Concrete &c);
// Equalities t == c on the instance's indices only.
z3::expr agrees(const Encoding &e, const AState &t, const Concrete &c);
// The values of `s` in `m` at CPUs [0, cpus), the given mms, and the ASIDs
// mentioned anywhere in the state (plus cur_idx).
Concrete read_model(const Encoding &e, const z3::model &m, const AState &s, int cpus, const std::vector<uint64_t> &mms,
                    const std::vector<uint32_t> &extra_asids = {});
// Multi-line rendering; with `before`, fields that changed are marked '*'.
std::string format_state(const Concrete &c, const Concrete *before = nullptr, const std::vector<uint64_t> &mm_ids = {});
std::string format_ctx(CtxVal v);

}  // namespace ctxsw::prover
