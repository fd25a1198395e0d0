// SPDX-License-Identifier: GPL-2.0-only
//
// The context-switch model and its properties seen through the explorer's
// System interface (explorer.h). A stored state is a bit string whose fields
// are sized from the configuration (see ctxsw_system.cpp: PackLayout); pack
// and unpack are exact inverses on every state the model can reach, and pack
// throws rather than truncate a value that does not fit its field.
#pragma once

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "ctxsw/model/model.h"
#include "ctxsw/model/symmetry.h"
#include "ctxsw/properties/properties.h"

namespace ctxsw::checker {

class CtxswSystem {
 public:
  using State = ctxsw::State;
  using Label = ctxsw::Step;

  // How records are packed: with the BMI2 bit extract/deposit instructions
  // where the CPU has fast ones, or with portable loops (the same records).
  enum class BitOps { fastest, portable };

  // props: the properties to check (all when empty). With `symmetry`, one
  // state per orbit of interchangeable processes/kernel threads is stored.
  CtxswSystem(const Model &model, std::vector<const Property *> props = {}, bool symmetry = true,
              BitOps bit_ops = BitOps::fastest);

  size_t packed_bytes() const { return bytes_; }
  size_t packed_bits() const { return static_cast<size_t>(L_.total_bits); }
  void pack(const State &s, uint8_t *out) const;
  // pack(s, out) for a successor s of `parent`, whose record is parent_rec:
  // a component whose part of the State is byte for byte the parent's is
  // copied from parent_rec, the others are packed (a step changes one CPU's
  // component and a few others).
  void pack_successor(const State &parent, const uint8_t *parent_rec, const State &s, uint8_t *out) const;
  // The record's components, in bytes, in order (each starts on a byte): the
  // tasks (two components beyond four tasks), each CPU, the mms with the
  // globals. The state store interns each separately (visited_set.h).
  const std::vector<size_t> &component_bytes() const { return parts_; }
  // Expected bytes per stored state of a full run (StateStore's estimate for
  // roots of 4 bytes per component), for an up-front memory estimate; the
  // figures measured are in Result::bytes_per_state.
  double expected_bytes_per_state() const;
  void unpack(const uint8_t *in, State &s) const;

  // The exploration starts from model.initial_state(), or from `start` (a
  // state the model reached, e.g. by replaying a scenario: ctxsw check --from).
  void set_start(const State &start) { start_ = start; }
  const State &start() const { return start_; }
  std::vector<State> initial_states() const;
  template <class F>
  void successors(const State &s, F &&f) const {
    if (groups_.empty()) return model_.successors(s, f);
    model_.successors(s, [&](const Step &l, State &n) {
      canonicalise_renumbered(model_.config(), groups_, n);  // n comes renumbered from the model
      f(l, std::as_const(n));
    });
  }
  // ctxsw::canonicalise(config, groups, s): the representative of s's orbit
  // (model/src/symmetry.cpp; tests/checker_test.cpp checks it is canonical).
  void canonical(State &s) const;
  // Turns a path of stored (canonical) states into a concrete execution of
  // the model from start(), with the same length.
  void concretize(std::vector<State> &states, std::vector<Step> &labels) const;
  bool symmetric() const { return !groups_.empty(); }
  size_t num_invariants() const { return invariants_.size(); }
  std::string check(size_t i, const State &s) const { return invariants_[i]->check(model_.config(), s); }
  bool check_deadlock() const { return deadlock_ != nullptr; }
  bool quiescent(const State &s) const { return model_.quiescent(s); }

  const Model &model() const { return model_; }
  // The property an explorer result's `violated` index names.
  const Property *property(long violated) const;

 private:
  const Model &model_;
  State start_;
  State blank_;  // State{}: unpack() starts from a copy
  std::vector<const Property *> invariants_;
  const Property *deadlock_ = nullptr;
  std::vector<std::vector<SymmetryUnit>> groups_;
  // Field widths in bits (0: the field is always zero in this configuration).
  struct PackLayout {
    int task, mm, gen, asid, pc, cpu_idx, lock, users, count, pinned, cur_idx, nr_pinned, map, pinned_map;
    int tlb_mm_codes = 0;  // mm codes per ASID in the TLB bitmask (mms + "freed")
    bool tlb_bitmask = false;
    int tlb_n = 0, tlb_bits = 0;
    int task_split = -1;  // first task of the second task component (-1: one component)
    int total_bits = 0;
    std::array<TlbEntry, 256> tlb_of_bit{};  // the entry each bit of the TLB bitmask stands for
  } L_{};
  // A component of the record: its bytes in the record, and the bytes of
  // State it packs.
  struct Component {
    enum Kind : uint8_t { tasks, cpu, mms_globals } kind;
    int from, to;               // tasks [from, to), or CPU `from`
    size_t off, len;            // the State bytes it packs,
    size_t off2 = 0, len2 = 0;  // and a second range (the globals after the mms)
    size_t rec_off = 0, rec_len = 0;
    size_t win_begin = 0, win_end = 0;  // its windows_
  };
  // How a component is packed (ctxsw_system.cpp, "The packing program"):
  // 8 bytes of State at `off` are coded (`add` to each byte), checked (the
  // bits `fixed` must be `value`) and their bits `mask` extracted; or, with
  // tlb_cpu >= 0, that CPU's TLB is written as a bitmask.
  struct Window {
    uint64_t mask = 0, add = 0, fixed = 0, value = 0;
    uint64_t own = 0;    // the bits of the 8 bytes that this window packs
    uint64_t spill = 0;  // State{}'s bits in the others
    uint32_t off = 0;
    int bits = 0;
    int tlb_cpu = -1;
    bool merge = false;    // the window starts before its first byte (at the end of State)
    bool trivial = false;  // no bits, and its bytes unpack to State{}'s
  };
  void compile_program(const State &s);
  template <bool kBmi2>
  void pack_component(const Component &k, const State &s, uint8_t *out) const;
  template <bool kBmi2>
  void unpack_record(const uint8_t *in, State &s) const;
  [[noreturn]] void does_not_pack(const State &s) const;
  std::vector<Component> comps_;
  std::vector<Window> windows_;
  bool bmi2_ = false;
  bool pinned_map_ = false;
  size_t bytes_ = 0;
  std::vector<size_t> parts_;
};

}  // namespace ctxsw::checker
