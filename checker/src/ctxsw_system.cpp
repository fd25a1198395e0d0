// SPDX-License-Identifier: GPL-2.0-only
#include "ctxsw/checker/ctxsw_system.h"

#include <cstring>
#include <stdexcept>

#include "ctxsw/checker/explorer.h"

namespace ctxsw::checker {
namespace {

template <class T>
void put(uint8_t *&p, const T *src, size_t n) {
  std::memcpy(p, src, n * sizeof(T));
  p += n * sizeof(T);
}
template <class T>
void get(const uint8_t *&p, T *dst, size_t n) {
  std::memcpy(static_cast<void *>(dst), p, n * sizeof(T));
  p += n * sizeof(T);
}
void put_bits(uint8_t *&p, const std::bitset<kMaxAsids> &b, size_t bytes) {
  for (size_t i = 0; i < bytes; i++) {
    uint8_t v = 0;
    for (int j = 0; j < 8; j++) v |= static_cast<uint8_t>(b.test(i * 8 + j)) << j;
    *p++ = v;
  }
}
void get_bits(const uint8_t *&p, std::bitset<kMaxAsids> &b, size_t bytes) {
  for (size_t i = 0; i < bytes; i++, p++)
    for (int j = 0; j < 8; j++) b.set(i * 8 + j, (*p >> j) & 1);
}

}  // namespace

CtxswSystem::CtxswSystem(const Model &model, std::vector<const Property *> props, bool symmetry) : model_(model) {
  if (symmetry) groups_ = symmetry_groups(model_.config());
  if (props.empty())
    for (const Property &p : all_properties()) props.push_back(&p);
  for (const Property *p : props) {
    if (p->kind == PropertyKind::deadlock)
      deadlock_ = p;
    else
      invariants_.push_back(p);
  }
  const Config &cfg = model_.config();
  map_bytes_ = (static_cast<size_t>(cfg.num_user_asids()) + 7) / 8;
  pinned_map_ = cfg.pinned || cfg.kpti;
  bytes_ = cfg.nr_tasks() * sizeof(TaskState) + cfg.cpus * sizeof(CpuState) + cfg.nr_mms() * sizeof(MmState) +
           map_bytes_ * (pinned_map_ ? 2 : 1) + 7;
}

void CtxswSystem::pack(const State &s, uint8_t *out) const {
  const Config &cfg = model_.config();
  uint8_t *p = out;
  put(p, s.task.data(), cfg.nr_tasks());
  put(p, s.cpu.data(), cfg.cpus);
  put(p, s.mm.data(), cfg.nr_mms());
  put_bits(p, s.asid_map, map_bytes_);
  if (pinned_map_) put_bits(p, s.pinned_asid_map, map_bytes_);
  *p++ = s.generation;
  *p++ = s.tlb_flush_pending;
  *p++ = s.asid_lock;
  put(p, &s.cur_idx, 1);
  *p++ = s.nr_pinned_asids;
  *p++ = s.alloc_failed;
}

void CtxswSystem::unpack(const uint8_t *in, State &s) const {
  const Config &cfg = model_.config();
  s = State{};
  const uint8_t *p = in;
  get(p, s.task.data(), cfg.nr_tasks());
  get(p, s.cpu.data(), cfg.cpus);
  get(p, s.mm.data(), cfg.nr_mms());
  get_bits(p, s.asid_map, map_bytes_);
  if (pinned_map_) get_bits(p, s.pinned_asid_map, map_bytes_);
  s.generation = *p++;
  s.tlb_flush_pending = *p++;
  s.asid_lock = *p++;
  get(p, &s.cur_idx, 1);
  s.nr_pinned_asids = *p++;
  s.alloc_failed = *p++;
}

std::vector<State> CtxswSystem::initial_states() const {
  State s = model_.initial_state();
  canonicalise(model_.config(), groups_, s);
  return {s};
}

void CtxswSystem::concretize(std::vector<State> &states, std::vector<Step> &labels) const {
  if (groups_.empty() || states.empty()) return;
  std::vector<State> cs{model_.initial_state()};
  std::vector<Step> cl;
  for (size_t i = 1; i < states.size(); i++) {
    bool found = false;
    model_.successors(cs.back(), [&](const Step &l, const State &n) {
      if (found) return;
      State c = n;
      canonicalise(model_.config(), groups_, c);
      if (c == states[i]) {
        found = true;
        cs.push_back(n);
        cl.push_back(l);
      }
    });
    if (!found) throw std::logic_error("counterexample reconstruction failed at step " + std::to_string(i));
  }
  states = std::move(cs);
  labels = std::move(cl);
}

const Property *CtxswSystem::property(long violated) const {
  if (violated == kDeadlock) return deadlock_;
  if (violated < 0 || static_cast<size_t>(violated) >= invariants_.size()) return nullptr;
  return invariants_[violated];
}

}  // namespace ctxsw::checker
