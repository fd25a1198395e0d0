// SPDX-License-Identifier: GPL-2.0-only
//
// Symmetry: one representative per orbit of interchangeable processes and
// kernel threads (symmetry.h), computed by sorting rather than by trying
// every permutation.
//
// Why canonicalise() is a canonical form. Let G be the group of renamings
// of the units of each symmetry group (a unit: a process's task and mm, or
// a kernel thread), and R the renamings of generation values that keep 0 and
// are injective (docs/generations.md; renumber_generations() is r, with
// r(g(x)) = r(x) for every g in R because it only looks at which slots hold
// equal values). G and R commute. For a state s:
//
//  1. Every unit u gets a key k_s(u) built only from facts that every
//     renaming in G x R carries along with u: u's own fields, with
//     references written as "itself", "fixed task/mm number x" or "some unit
//     of group g"; the generation of its mm as a label that does not depend
//     on generation values or on unit names (0, the global generation, the
//     n-th distinct generation met in the slots that are never renamed —
//     fixed mms, then each CPU's — or "other"); and, summed (so that scan
//     order does not matter), one hash per location that refers to u (a
//     CPU's field, a TLB entry (cpu, ASID), a fixed task's field, or another
//     unit's field together with that unit's group). So for q in G and g in
//     R: k_{q(g(s))}(q(u)) = k_s(u).
//  2. P(s) is the set of renamings that put the units of each group in
//     ascending key order (the units with equal keys in every order). By 1,
//     P(q(g(s))) = { p o q^-1 : p in P(s) }.
//  3. canonicalise(s) = the bytewise least r(p(s)) for p in P(s). By 2 the
//     candidates for q(g(s)) are r(p(q^-1(q(g(s))))) = r(g(p(s))) = r(p(s)):
//     the same set, hence the same least element. And the result is r(p(s))
//     for a p in G: a member of s's orbit. So two states get the same
//     representative if and only if they are in the same orbit of G x R —
//     whichever order the keys induce, and whatever hash collisions do
//     (a collision only makes more units "equal").
//  4. Equal keys are rare except for units that are identical (e.g. tasks
//     that have not run yet). If swapping two neighbours of a block of equal
//     keys maps the first candidate c to itself (r(t(c)) = c), for every
//     neighbouring pair of the block, then every ordering of the block is an
//     automorphism of c (transpositions of neighbours generate the symmetric
//     group, and they commute with the renamings of the other blocks), so the
//     block adds no new candidate and is not enumerated.
//
// With Config::renumber_generations off, r is the identity and R is trivial:
// the same argument with G alone.
#include "ctxsw/model/symmetry.h"

#include <algorithm>
#include <cstring>

#include "ctxsw/model/generations.h"
#include "kernel.h"

namespace ctxsw {

std::vector<std::vector<SymmetryUnit>> symmetry_groups(const Config &cfg) {
  std::vector<SymmetryUnit> procs, kthreads;
  const int first_fork_mm = cfg.nr_mms() - cfg.fork_slots;
  for (int m = 1; m < first_fork_mm; m++) {
    int users = 0, task = -1;
    for (int t = 0; t < cfg.nr_tasks(); t++)
      if (cfg.tasks[t].born && cfg.tasks[t].mm == m) users++, task = t;
    if (users == 1) procs.push_back({static_cast<uint8_t>(task), static_cast<uint8_t>(m)});
  }
  for (int t = 0; t < cfg.nr_tasks(); t++)
    if (cfg.tasks[t].kind == TaskKind::kthread && cfg.tasks[t].born)
      kthreads.push_back({static_cast<uint8_t>(t), kNone});
  std::vector<std::vector<SymmetryUnit>> groups;
  if (procs.size() > 1) groups.push_back(procs);
  if (kthreads.size() > 1) groups.push_back(kthreads);
  return groups;
}

namespace {

constexpr std::array<uint8_t, 256> kIdentity = [] {
  std::array<uint8_t, 256> a{};
  for (int i = 0; i < 256; i++) a[static_cast<size_t>(i)] = static_cast<uint8_t>(i);
  return a;
}();

// permute() in place: the task and mm records are moved from a copy of
// their own (the only parts that move), every reference is renamed where it
// stands.
void permute_in_place(const Config &cfg, State &s, const TaskPerm &tp, const MmPerm &mp) {
  // The renamings as tables over every byte value (kNone, kReservedPgd,
  // kFreedMm stay): a load each, no branch on what a field holds.
  std::array<uint8_t, 256> tmap = kIdentity, mmap = kIdentity;
  std::memcpy(tmap.data(), tp.data(), kMaxTasks);
  std::memcpy(mmap.data(), mp.data(), kMaxMms);
  auto T = [&](uint8_t t) -> uint8_t { return tmap[t]; };
  auto M = [&](uint8_t m) -> uint8_t { return mmap[m]; };
  const int nt = cfg.nr_tasks(), nm = cfg.nr_mms();
  std::array<TaskState, kMaxTasks> task;
  std::array<MmState, kMaxMms> mm;
  std::memcpy(task.data(), s.task.data(), sizeof(TaskState) * static_cast<size_t>(nt));
  std::memcpy(mm.data(), s.mm.data(), sizeof(MmState) * static_cast<size_t>(nm));
  for (int t = 0; t < nt; t++) {
    TaskState ts = task[t];
    ts.mm = M(ts.mm);
    ts.active_mm = M(ts.active_mm);
    ts.saved_ctx = T(ts.saved_ctx);
    ts.sw_prev = T(ts.sw_prev);
    ts.sw_next = T(ts.sw_next);
    ts.last = T(ts.last);
    s.task[tp[t]] = ts;
  }
  for (int m = 0; m < nm; m++) s.mm[mp[m]] = mm[m];
  for (int c = 0; c < cfg.cpus; c++) {
    CpuState &cs = s.cpu[c];
    cs.curr = T(cs.curr);
    cs.sp_el0 = T(cs.sp_el0);
    cs.regs = T(cs.regs);
    cs.fts_prev = T(cs.fts_prev);
    cs.ghost_prev_curr = T(cs.ghost_prev_curr);
    cs.prev_mm = M(cs.prev_mm);
    cs.ttbr0 = M(cs.ttbr0);
    cs.sm_prev = M(cs.sm_prev);
    cs.sm_next = M(cs.sm_next);
    cs.ref_mm = M(cs.ref_mm);
    cs.op_mm = M(cs.op_mm);
    bool moved = false;
    for (int i = 0; i < cs.tlb.n; i++) {
      uint8_t m = M(cs.tlb.e[i].mm);
      moved |= m != cs.tlb.e[i].mm;
      cs.tlb.e[i].mm = m;
    }
    if (moved) kernel::tlb_canonicalise(cs.tlb);
  }
}

}  // namespace

State permute(const Config &cfg, const State &s, const TaskPerm &tp, const MmPerm &mp) {
  State n = s;
  permute_in_place(cfg, n, tp, mp);
  return n;
}

namespace {

constexpr size_t kMaxGroups = 4;
constexpr size_t kMaxUnits = kMaxTasks;

constexpr uint64_t mix(uint64_t x) {  // splitmix64's finaliser
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
inline uint64_t step(uint64_t h, uint64_t v) { return mix(h ^ v) + v; }

// Location tags (only their distinctness matters).
enum : uint64_t { kLocFixedTask = 1, kLocCpu = 2, kLocTlb = 3, kLocUnit = 4 };
constexpr uint64_t loc(uint64_t kind, uint64_t a, uint64_t b, uint64_t c = 0) {
  return mix((kind << 48) ^ (a << 32) ^ (b << 16) ^ c);
}

// Every location hash the keys use, computed at compile time.
constexpr int kCpuFields = 11, kTaskFields = 6;
struct LocTable {
  std::array<std::array<uint64_t, kCpuFields>, kMaxCpus> cpu{};
  std::array<std::array<uint64_t, kMaxAsids>, kMaxCpus> tlb{};  // by ASID
  std::array<std::array<uint64_t, kTaskFields>, kMaxTasks> fixed_task{};
  // unit[group + 1][field][refers to the unit itself]
  std::array<std::array<std::array<uint64_t, 2>, kTaskFields>, kMaxGroups + 1> unit{};
};
constexpr LocTable make_loc_table() {
  LocTable l;
  for (uint64_t c = 0; c < kMaxCpus; c++) {
    for (uint64_t f = 0; f < kCpuFields; f++) l.cpu[c][f] = loc(kLocCpu, c, f);
    for (uint64_t a = 0; a < kMaxAsids; a++) l.tlb[c][a] = loc(kLocTlb, c, a);
  }
  for (uint64_t t = 0; t < kMaxTasks; t++)
    for (uint64_t f = 0; f < kTaskFields; f++) l.fixed_task[t][f] = loc(kLocFixedTask, t, f);
  for (uint64_t g = 0; g <= kMaxGroups; g++)
    for (uint64_t f = 0; f < kTaskFields; f++)
      for (uint64_t self = 0; self < 2; self++) l.unit[g][f][self] = loc(kLocUnit, g, f, self);
  return l;
}
constexpr LocTable kLoc = make_loc_table();

struct Keys {
  // unit_task[t] / unit_mm[m]: 0 if fixed, else 1 + group (the unit's group).
  // The last entry of these four arrays stands for every value that is no
  // task (mm): kNone, kReservedPgd, kFreedMm (see task_slot()/mm_slot()).
  std::array<uint8_t, kMaxTasks + 1> unit_task;
  std::array<uint8_t, kMaxMms + 1> unit_mm;
  std::array<uint64_t, kMaxTasks + 1> in_task;  // sums of location hashes referring to the task
  std::array<uint64_t, kMaxMms + 1> in_mm;      // (summed for fixed ones too, and never read)
  // Generation labels: 0 stays 0, the global one is 1, then the values met
  // in never-renamed slots in a fixed order (gens[i] is labelled 2 + i); the
  // rest (held only by units' mms) 255. A short list, not a 256-entry table:
  // the caller keeps Keys uninitialised.
  uint8_t generation;
  uint8_t ngens;
  std::array<uint8_t, kMaxMms + 4 * kMaxCpus> gens;
  uint8_t gen_label(uint8_t g) const {
    if (g == 0) return 0;
    if (g == generation) return 1;
    for (size_t i = 0; i < ngens; i++)
      if (gens[i] == g) return static_cast<uint8_t>(2 + i);
    return 0xff;
  }
};

inline size_t task_slot(uint8_t x) { return x < kMaxTasks ? x : kMaxTasks; }
inline size_t mm_slot(uint8_t x) { return x < kMaxMms ? x : kMaxMms; }

// A unit's key is a chain of step()s over seven words: three of its task's
// own fields, the sum of the locations referring to its task, and three of
// its mm. The first three take few distinct values in a run (about a
// hundred): the chain after them is remembered per thread, in a small
// direct-mapped table indexed by them (whole words compared: the keys are
// the same with or without it).
struct PrefixMemo {
  uint64_t a, b;  // a: words 0 and 1 (bit 63 set in a filled entry); b: word 2
  uint64_t h;     // the chain after the three words
};
constexpr int kPrefixBits = 8;
thread_local std::array<PrefixMemo, size_t{1} << kPrefixBits> t_prefix_memo;  // zero: empty

uint64_t unit_key(const State &s, const Keys &k, const SymmetryUnit &u) {
  auto rel_task = [&](uint8_t x) -> uint64_t {
    const uint8_t g = k.unit_task[task_slot(x)];
    return x == u.task ? 0x1fe : g ? 0x100 + g : x;
  };
  auto rel_mm = [&](uint8_t x) -> uint64_t {
    const uint8_t g = k.unit_mm[mm_slot(x)];
    return u.mm != kNone && x == u.mm ? 0x1fc : g ? 0x180 + g : x;
  };
  const TaskState &ts = s.task[u.task];
  const uint64_t w0 = static_cast<uint64_t>(ts.run) | uint64_t{ts.on_cpu} << 8 | uint64_t{ts.exited_mm} << 16;
  const uint64_t w1 = rel_mm(ts.mm) | rel_mm(ts.active_mm) << 12;
  const uint64_t w2 =
      rel_task(ts.saved_ctx) | rel_task(ts.sw_prev) << 12 | rel_task(ts.sw_next) << 24 | rel_task(ts.last) << 36;
  const uint64_t a = w0 | w1 << 24 | uint64_t{1} << 63, b = w2;  // w0 < 2^24, w1 < 2^24
  PrefixMemo &e = t_prefix_memo[((a ^ b * 0x9e3779b97f4a7c15ull) * 0xbf58476d1ce4e5b9ull) >> (64 - kPrefixBits)];
  if (((e.a ^ a) | (e.b ^ b)) != 0) {
    e.a = a;
    e.b = b;
    e.h = step(step(step(0, w0), w1), w2);
  }
  uint64_t h = step(e.h, k.in_task[u.task]);
  if (u.mm != kNone) {
    const MmState &ms = s.mm[u.mm];
    h = step(h, uint64_t{ms.live} | uint64_t{ms.freed} << 8 | uint64_t{ms.users} << 16 | uint64_t{ms.count} << 24 |
                    uint64_t{ms.pinned} << 32 | uint64_t{ms.underflow} << 40);
    h = step(h, uint64_t{k.gen_label(ms.id.gen)} | uint64_t{ms.id.asid} << 8);
    h = step(h, k.in_mm[u.mm]);
  }
  return h;
}

void compute_keys(const Config &cfg, const std::vector<std::vector<SymmetryUnit>> &groups, const State &s, Keys &k) {
  k.unit_task.fill(0);
  k.unit_mm.fill(0);
  k.in_task.fill(0);
  k.in_mm.fill(0);
  for (size_t g = 0; g < groups.size(); g++)
    for (const SymmetryUnit &u : groups[g]) {
      k.unit_task[u.task] = static_cast<uint8_t>(g + 1);
      if (u.mm != kNone) k.unit_mm[u.mm] = static_cast<uint8_t>(g + 1);
    }
  // Generation labels (see Keys): the distinct values of the never-renamed
  // slots other than 0 and the global one, in scan order.
  k.generation = s.generation;
  k.ngens = 0;
  auto label = [&](uint8_t gen) {
    if (gen == 0 || gen == k.generation) return;
    for (size_t i = 0; i < k.ngens; i++)
      if (k.gens[i] == gen) return;
    k.gens[k.ngens++] = gen;
  };
  for (int m = 0; m < cfg.nr_mms(); m++)
    if (!k.unit_mm[m]) label(s.mm[m].id.gen);
  for (int c = 0; c < cfg.cpus; c++) {
    const CpuState &cs = s.cpu[c];
    label(cs.active.gen);
    label(cs.reserved.gen);
    label(cs.asid.gen);
    label(cs.old_active.gen);
  }
  // Every location adds its hash to what it refers to (branch-free: which
  // references are to units is not predictable); only the sums of units are
  // read.
  auto to_task = [&](uint8_t x, uint64_t where) { k.in_task[task_slot(x)] += where; };
  auto to_mm = [&](uint8_t x, uint64_t where) { k.in_mm[mm_slot(x)] += where; };
  for (int t = 0; t < cfg.nr_tasks(); t++) {
    const TaskState &ts = s.task[t];
    // A fixed task's fields are fixed locations; a unit's fields are located
    // by the unit's group and by whether they refer to the unit itself.
    const uint8_t unit = k.unit_task[t];
    const auto &fixed = kLoc.fixed_task[t];
    const auto &of_unit = kLoc.unit[unit];
    auto where = [&](int field, uint8_t x) { return unit ? of_unit[field][x == t] : fixed[field]; };
    to_mm(ts.mm, where(0, kNone));
    to_mm(ts.active_mm, where(1, kNone));
    to_task(ts.saved_ctx, where(2, ts.saved_ctx));
    to_task(ts.sw_prev, where(3, ts.sw_prev));
    to_task(ts.sw_next, where(4, ts.sw_next));
    to_task(ts.last, where(5, ts.last));
  }
  for (int c = 0; c < cfg.cpus; c++) {
    const CpuState &cs = s.cpu[c];
    const auto &at = kLoc.cpu[c];
    to_task(cs.curr, at[0]);
    to_task(cs.sp_el0, at[1]);
    to_task(cs.regs, at[2]);
    to_task(cs.fts_prev, at[3]);
    to_task(cs.ghost_prev_curr, at[4]);
    to_mm(cs.prev_mm, at[5]);
    to_mm(cs.ttbr0, at[6]);
    to_mm(cs.sm_prev, at[7]);
    to_mm(cs.sm_next, at[8]);
    to_mm(cs.ref_mm, at[9]);
    to_mm(cs.op_mm, at[10]);
    const uint64_t cu = static_cast<uint64_t>(c);
    for (int i = 0; i < cs.tlb.n; i++) {
      const uint16_t a = cs.tlb.e[i].asid;
      to_mm(cs.tlb.e[i].mm, a < kMaxAsids ? kLoc.tlb[c][a] : loc(kLocTlb, cu, a));
    }
  }
}

// The renaming that sends the unit at index from[g][i] of group g to slot i.
void renaming(const std::vector<std::vector<SymmetryUnit>> &groups,
              const std::array<std::array<uint8_t, kMaxUnits>, kMaxGroups> &from, TaskPerm &tp, MmPerm &mp) {
  for (int i = 0; i < kMaxTasks; i++) tp[i] = static_cast<uint8_t>(i);
  for (int i = 0; i < kMaxMms; i++) mp[i] = static_cast<uint8_t>(i);
  for (size_t g = 0; g < groups.size(); g++)
    for (size_t i = 0; i < groups[g].size(); i++) {
      const SymmetryUnit &f = groups[g][from[g][i]], &to = groups[g][i];
      tp[f.task] = to.task;
      if (f.mm != kNone) mp[f.mm] = to.mm;
    }
}

void rename_in_place(const Config &cfg, State &s, const TaskPerm &tp, const MmPerm &mp) {
  permute_in_place(cfg, s, tp, mp);
  if (cfg.renumber_generations) renumber_generations(cfg, s);
}

State rename(const Config &cfg, const State &s, const TaskPerm &tp, const MmPerm &mp) {
  State n = s;
  rename_in_place(cfg, n, tp, mp);
  return n;
}

// Slow and simple, for groups beyond the fixed-size arrays below (never in
// configurations the CLI accepts): the least r(p(s)) over all of G.
void canonicalise_by_enumeration(const Config &cfg, const std::vector<std::vector<SymmetryUnit>> &groups, State &s) {
  std::vector<std::vector<int>> ord(groups.size());
  for (size_t g = 0; g < groups.size(); g++)
    for (size_t i = 0; i < groups[g].size(); i++) ord[g].push_back(static_cast<int>(i));
  State best = s;
  if (cfg.renumber_generations) renumber_generations(cfg, best);
  TaskPerm tp;
  MmPerm mp;
  for (;;) {
    for (int i = 0; i < kMaxTasks; i++) tp[i] = static_cast<uint8_t>(i);
    for (int i = 0; i < kMaxMms; i++) mp[i] = static_cast<uint8_t>(i);
    for (size_t g = 0; g < groups.size(); g++)
      for (size_t i = 0; i < groups[g].size(); i++) {
        const SymmetryUnit &f = groups[g][i], &to = groups[g][ord[g][i]];
        tp[f.task] = to.task;
        if (f.mm != kNone) mp[f.mm] = to.mm;
      }
    State n = rename(cfg, s, tp, mp);
    if (std::memcmp(&n, &best, sizeof(State)) < 0) best = n;
    size_t g = 0;
    while (g < groups.size() && !std::next_permutation(ord[g].begin(), ord[g].end())) g++;
    if (g == groups.size()) break;
  }
  s = best;
}

}  // namespace

void canonicalise_exhaustive(const Config &cfg, const std::vector<std::vector<SymmetryUnit>> &groups, State &s) {
  if (groups.empty()) return;
  canonicalise_by_enumeration(cfg, groups, s);
}

namespace {

using Order = std::array<std::array<uint8_t, kMaxUnits>, kMaxGroups>;
using SortedKeys = std::array<std::array<uint64_t, kMaxUnits>, kMaxGroups>;
void canonicalise_ties(const Config &cfg, const std::vector<std::vector<SymmetryUnit>> &groups, State &s, bool identity,
                       Order &from, const SortedKeys &key);

// renumbered: s is already r(s) (every state the model produces), so that
// when the sorted order is the identity, the first candidate r(s) is s.
void canonicalise_sorted(const Config &cfg, const std::vector<std::vector<SymmetryUnit>> &groups, State &s,
                         bool renumbered) {
  Keys k;  // uninitialised: compute_keys() writes what unit_key() reads
  compute_keys(cfg, groups, s, k);
  // from[g][i]: index (in groups[g]) of the unit put in slot i; sorted by key
  // (insertion sort: a group has at most kMaxUnits units). Only the first
  // groups[g].size() entries of each row are used.
  Order from;
  SortedKeys key;
  bool identity = renumbered || !cfg.renumber_generations;
  bool ties = false;  // some group has two units with equal keys
  for (size_t g = 0; g < groups.size(); g++) {
    const size_t n = groups[g].size();
    uint8_t *f = from[g].data();
    uint64_t *kk = key[g].data();
    for (size_t i = 0; i < n; i++) {
      const uint64_t x = unit_key(s, k, groups[g][i]);
      size_t j = i;
      for (; j > 0 && kk[j - 1] > x; j--) kk[j] = kk[j - 1], f[j] = f[j - 1];
      kk[j] = x;
      f[j] = static_cast<uint8_t>(i);
      identity &= j == i;
      ties |= j > 0 && kk[j - 1] == x;
    }
  }
  if (ties) return canonicalise_ties(cfg, groups, s, identity, from, key);
  // The first candidate is the only one: in place.
  if (!identity) {
    TaskPerm tp;
    MmPerm mp;
    renaming(groups, from, tp, mp);
    rename_in_place(cfg, s, tp, mp);
  }
}

// canonicalise_sorted() for orders with equal keys (rare): the first
// candidate, then the blocks of equal keys that it does not absorb.
[[gnu::noinline]] void canonicalise_ties(const Config &cfg, const std::vector<std::vector<SymmetryUnit>> &groups,
                                         State &s, bool identity, Order &from, const SortedKeys &key) {
  const State orig = s;
  TaskPerm tp;
  MmPerm mp;
  if (!identity) {
    renaming(groups, from, tp, mp);
    rename_in_place(cfg, s, tp, mp);
  }
  const State &best = s;

  // Blocks of equal keys that are not automorphisms of `best` (point 4).
  struct Block {
    uint8_t g, lo, n;
    std::array<uint8_t, kMaxUnits> ord;
  };
  std::array<Block, kMaxUnits> blocks;
  size_t nb = 0;
  for (size_t g = 0; g < groups.size(); g++) {
    const size_t n = groups[g].size();
    for (size_t i = 0; i < n;) {
      size_t j = i + 1;
      while (j < n && key[g][j] == key[g][i]) j++;
      bool automorphic = true;
      for (size_t a = i; a + 1 < j && automorphic; a++) {
        TaskPerm t2;
        MmPerm m2;
        for (int x = 0; x < kMaxTasks; x++) t2[x] = static_cast<uint8_t>(x);
        for (int x = 0; x < kMaxMms; x++) m2[x] = static_cast<uint8_t>(x);
        const SymmetryUnit &u = groups[g][a], &v = groups[g][a + 1];
        std::swap(t2[u.task], t2[v.task]);
        if (u.mm != kNone) std::swap(m2[u.mm], m2[v.mm]);
        automorphic = rename(cfg, best, t2, m2) == best;
      }
      if (!automorphic) {
        Block &b = blocks[nb++];
        b.g = static_cast<uint8_t>(g);
        b.lo = static_cast<uint8_t>(i);
        b.n = static_cast<uint8_t>(j - i);
        for (size_t x = 0; x < b.n; x++) b.ord[x] = static_cast<uint8_t>(x);
      }
      i = j;
    }
  }
  if (nb == 0) return;
  State least = best;
  // Every ordering of every remaining block: the product, in next_permutation
  // order per block (the first, identity, is `best` already).
  const auto sorted = from;
  for (;;) {
    size_t b = 0;
    while (b < nb && !std::next_permutation(blocks[b].ord.begin(), blocks[b].ord.begin() + blocks[b].n)) b++;
    if (b == nb) break;
    for (size_t x = 0; x < nb; x++) {
      const Block &bl = blocks[x];
      for (size_t y = 0; y < bl.n; y++) from[bl.g][bl.lo + y] = sorted[bl.g][bl.lo + bl.ord[y]];
    }
    renaming(groups, from, tp, mp);
    State n = rename(cfg, orig, tp, mp);
    if (std::memcmp(&n, &least, sizeof(State)) < 0) least = n;
  }
  s = least;
}

}  // namespace

void canonicalise(const Config &cfg, const std::vector<std::vector<SymmetryUnit>> &groups, State &s) {
  if (groups.empty()) return;
  if (groups.size() > kMaxGroups) return canonicalise_by_enumeration(cfg, groups, s);
  canonicalise_sorted(cfg, groups, s, false);
}

void canonicalise_renumbered(const Config &cfg, const std::vector<std::vector<SymmetryUnit>> &groups, State &s) {
  if (groups.empty()) return;
  if (groups.size() > kMaxGroups) return canonicalise_by_enumeration(cfg, groups, s);
  canonicalise_sorted(cfg, groups, s, true);
}

}  // namespace ctxsw
