// SPDX-License-Identifier: GPL-2.0-only
//
// Packed states. Every field of State that the configuration uses is written
// as a bit field just wide enough for the values the configuration allows:
//   task references (rq->curr, prev, last, ...)  kNone or 0..tasks-1
//   mm references (mm, active_mm, TTBR0, ...)     kNone, reserved_pg_dir, "freed" or 0..mms-1
//   generations                                   0..(slots+1) after renumbering (docs/generations.md)
//   ASIDs                                         asid_bits
//   a TLB                                         a bitmask over (ASID, mm) pairs when that is
//                                                 shorter than a list of entries (asid_bits <= 4)
//   reference counts                              sized from the number of tasks and CPUs
// Fields a configuration never sets (padding, pins without --pinned, the TLBs
// of CPUs other than 0 under CnP, the unused tail of a TLB bitmask) are
// checked to hold State{}'s values. pack() throws std::length_error instead of
// truncating a value that does not fit, so a stored state always unpacks to
// the state that was packed (tests/checker_test.cpp, CheckerPack, checks the
// round trip on random reachable states, and that pack_successor() writes the
// bytes pack() does). visit_state() below names the fields and their widths;
// "The packing program" further down is how they are written: a few bytes of
// State at a time, in State's byte order.
#include "ctxsw/checker/ctxsw_system.h"

#include <algorithm>
#include <array>
#include <bit>
#include <bitset>
#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "ctxsw/checker/bit_extract.h"
#include "ctxsw/checker/explorer.h"

namespace ctxsw::checker {
namespace {

// Bits needed for the values 0..n-1.
int bits_for(long n) { return n <= 1 ? 0 : std::bit_width(static_cast<unsigned long>(n - 1)); }

#define CTXSW_PC_COUNT(id, fn) +1
constexpr int kNumPcs = 0 CTXSW_PCS(CTXSW_PC_COUNT);
#undef CTXSW_PC_COUNT

// visit_state() names every field of the state record. A field added to the
// model's State must be added there too (or states would be merged): these
// sizes catch such a change at compile time.
static_assert(sizeof(TaskState) == 9 && sizeof(CpuState) == 70 && sizeof(MmState) == 10 && sizeof(Tlb) == 34 &&
                  sizeof(CtxId) == 4 && sizeof(State) == 544,
              "the State layout changed: update visit_state() in checker/src/ctxsw_system.cpp, then these sizes");

enum class Code { raw, task, mm };
static_assert(std::endian::native == std::endian::little, "packed records are written as little-endian words");

// task: kNone -> 0, t -> t + 1; mm: kFreedMm -> 0, kReservedPgd -> 1,
// kNone -> 2, m -> m + 3. Both add a constant modulo 256, so that eight
// byte fields are coded with one add (add_bytes()).
inline constexpr uint8_t kTaskCode = 1, kMmCode = 3;
template <Code c>
inline uint64_t encode(uint64_t v) {
  if constexpr (c == Code::task) return (v + kTaskCode) & 0xff;
  if constexpr (c == Code::mm) return (v + kMmCode) & 0xff;
  return v;
}
static_assert(kNone == 0xff && kReservedPgd == 0xfe && kFreedMm == 0xfd);

// x + a and x - a in each byte (modulo 256), for a with bytes below 0x80.
constexpr uint64_t kHigh = 0x8080808080808080ull;
inline uint64_t add_bytes(uint64_t x, uint64_t a) { return ((x & ~kHigh) + a) ^ (x & kHigh); }
inline uint64_t sub_bytes(uint64_t x, uint64_t a) { return ((x | kHigh) - a) ^ (~x & kHigh); }

inline uint64_t load64(const uint8_t *p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  return x;
}
inline void store64(uint8_t *p, uint64_t x) { std::memcpy(p, &x, 8); }

[[noreturn]] void does_not_fit(const char *field, uint64_t v, int width) {
  throw std::length_error(std::string("packed state: ") + field + " = " + std::to_string(v) + " does not fit " +
                          std::to_string(width) + " bits (a model change needs a wider field in ctxsw_system.cpp)");
}

// Writes the fields one by one in visit_state()'s order, checking each: what
// does_not_pack() runs to name the field that does not fit.
class Writer {
 public:
  explicit Writer(uint8_t *out) : p_(out) {}
  template <Code c, class T>
  [[gnu::always_inline]] void field(const T &x, int width, const char *name) {
    uint64_t v = encode<c>(static_cast<uint64_t>(x));
    if (v >> width) [[unlikely]]
      does_not_fit(name, static_cast<uint64_t>(x), width);
    put(v, width);
  }
  [[gnu::always_inline]] void put(uint64_t v, int width) {  // width <= 32
    acc_ |= v << n_;
    n_ += width;
    if (n_ >= 32) {
      uint32_t w = static_cast<uint32_t>(acc_);
      std::memcpy(p_, &w, 4);  // little-endian hosts only (static_assert below)
      p_ += 4;
      acc_ >>= 32;
      n_ -= 32;
    }
  }
  uint8_t *end() const { return p_; }
  // Pads to a byte boundary: each component starts on a byte.
  [[gnu::always_inline]] void align() {
    n_ = (n_ + 7) & ~7;
    if (n_ >= 32) {
      uint32_t w = static_cast<uint32_t>(acc_);
      std::memcpy(p_, &w, 4);
      p_ += 4;
      acc_ >>= 32;
      n_ -= 32;
    }
  }
  void flush() {
    while (n_ > 0) {
      *p_++ = static_cast<uint8_t>(acc_);
      acc_ >>= 8;
      n_ -= 8;
    }
    acc_ = 0;
    n_ = 0;
  }

 private:
  uint8_t *p_;
  uint64_t acc_ = 0;
  int n_ = 0;
};

class Counter {
 public:
  template <Code c, class T>
  void field(const T &, int width, const char *) {
    bits += width;
  }
  void put(uint64_t, int width) { bits += width; }
  uint64_t get(int width) {
    bits += width;
    return 0;
  }
  void align() {
    bits = (bits + 7) & ~7;
    marks.push_back(bits);
  }
  int bits = 0;
  std::vector<int> marks;  // bit offset of the end of each component
};

// The bit stream of one component, written up to 56 bits at a time (whole
// bytes are stored as soon as they are complete, 8 bytes at a time while
// that stays before `end`).
class BitSink {
 public:
  BitSink(uint8_t *out, uint8_t *end) : p_(out), end_(end) {}
  [[gnu::always_inline]] void put(uint64_t v, int width) {  // width <= 56, v < 2^width
    acc_ |= v << n_;
    n_ += width;
    const int k = n_ >> 3;  // complete bytes (n_ < 64)
    if (end_ - p_ >= 8) {
      store64(p_, acc_);  // the bytes past the k complete ones are rewritten later
    } else {
      for (int j = 0; j < k; j++) p_[j] = static_cast<uint8_t>(acc_ >> (8 * j));
    }
    p_ += k;
    acc_ >>= 8 * k;
    n_ &= 7;
  }
  void flush() {
    if (n_) *p_ = static_cast<uint8_t>(acc_);
  }

 private:
  uint8_t *p_, *end_;
  uint64_t acc_ = 0;
  int n_ = 0;
};

class BitSource {
 public:
  BitSource(const uint8_t *in, const uint8_t *end) : p_(in), end_(end) {}
  [[gnu::always_inline]] uint64_t get(int width) {  // width <= 56
    const uint8_t *q = p_ + (pos_ >> 3);
    const unsigned shift = pos_ & 7;
    uint64_t w = 0;
    if (end_ - q >= 8) {
      w = load64(q);
    } else {
      for (int j = 0; q + j < end_; j++) w |= static_cast<uint64_t>(q[j]) << (8 * j);
    }
    pos_ += static_cast<size_t>(width);
    return (w >> shift) & ((uint64_t{1} << width) - 1);
  }

 private:
  const uint8_t *p_, *end_;
  size_t pos_ = 0;
};

}  // namespace

namespace {

template <class V, class S, class Lay>
[[gnu::always_inline]] inline void visit_ctxid(V &v, const Lay &L, S &id, const char *name) {
  v.template field<Code::raw>(id.gen, L.gen, name);
  v.template field<Code::raw>(id.asid, L.asid, name);
  v.template field<Code::raw>(id.pad_, 0, "CtxId.pad_");
}

// The ASID bitmaps as 64-bit words, bit i of the set being bit i % 64 of
// word i / 64 (how libstdc++ and libc++ store a bitset; checked here for the
// first word and in the CtxswSystem constructor for the others).
using AsidSet = std::bitset<kMaxAsids>;
using AsidWords = std::array<uint64_t, kMaxAsids / 64>;
static_assert(sizeof(AsidSet) == sizeof(AsidWords));
static_assert(std::bit_cast<AsidWords>(AsidSet(0x8000000000000021ull))[0] == 0x8000000000000021ull);

// A field of the layout as visit_state() names it: its bytes in State, its
// width and code; or a TLB packed as a bitmask (visit_tlb_bitmask()).
struct FieldPlace {
  size_t off, size;
  int width;
  Code code;
  int tlb_cpu = -1;  // >= 0: CPU tlb_cpu's TLB, as a bitmask
};

// The visitor that records where each field is, component by component.
class Recorder {
 public:
  explicit Recorder(const State &s) : base_(reinterpret_cast<const uint8_t *>(&s)) {}
  template <Code c, class T>
  void field(const T &x, int width, const char *) {
    static_assert(c == Code::raw || sizeof(T) == 1, "coded fields are bytes");
    comps.back().push_back({at(&x), sizeof(T), width, c});
  }
  void bitset(const AsidSet &b, int n) {  // bit i of the set: bit i % 8 of byte i / 8
    for (size_t k = 0; k < sizeof(AsidSet) / 4; k++)
      comps.back().push_back({at(&b) + 4 * k, 4, std::clamp(n - 32 * static_cast<int>(k), 0, 32), Code::raw});
  }
  void tlb_bitmask(const Tlb &t, int cpu) { comps.back().push_back({at(&t), sizeof(Tlb), 0, Code::raw, cpu}); }
  void align() { comps.emplace_back(); }
  std::vector<std::vector<FieldPlace>> comps{1};  // the last is empty

 private:
  template <class T>
  size_t at(const T *p) const {
    return static_cast<size_t>(reinterpret_cast<const uint8_t *>(p) - base_);
  }
  const uint8_t *base_;
};

template <class V, class B>
[[gnu::always_inline]] inline void visit_bits(V &v, B &b, int n, const char *name) {
  if constexpr (requires { v.bitset(b, n); }) {
    v.bitset(b, n);
  } else if constexpr (std::is_const_v<B>) {  // bit i of the set is bit i of the field, 32 at a time
    const AsidWords w = std::bit_cast<AsidWords>(b);
    for (int i = 0; i < n; i += 32) {
      const int width = std::min(32, n - i);
      v.put((w[i >> 6] >> (i & 63)) & ((uint64_t{1} << width) - 1), width);
    }
    uint64_t beyond = 0;  // a bit at or beyond n
    for (size_t i = 0; i < w.size(); i++) {
      const int lo = static_cast<int>(64 * i);
      beyond |= n <= lo ? w[i] : n < lo + 64 ? w[i] >> (n - lo) : 0;
    }
    if (beyond) does_not_fit(name, 1, n);
  } else {
    AsidWords w{};
    for (int i = 0; i < n; i += 32) w[i >> 6] |= v.get(std::min(32, n - i)) << (i & 63);
    b = std::bit_cast<AsidSet>(w);
  }
}

// The entries past t.n and the padding hold Tlb{}'s values.
inline void check_tlb_tail(const Tlb &t) {
  for (int i = t.n; i < kTlbCapacity; i++)
    if (!(t.e[i] == TlbEntry{}) || t.e[i].pad_) does_not_fit("Tlb.e (unused tail)", 1, 0);
  if (t.pad_) does_not_fit("Tlb.pad_", t.pad_, 0);
}

// The TLB whose (ASID, mm) pairs fit a bitmask of at most 256 bits (L.tlb_bitmask).
template <class V, class S, class Lay>
[[gnu::always_inline]] inline void visit_tlb_bitmask(V &v, const Config &cfg, const Lay &L, S &t) {
  uint64_t words[4] = {0, 0, 0, 0};
  const int codes = L.tlb_mm_codes, nbits = L.tlb_bits;
  if constexpr (std::is_const_v<S>) {
    int prev = -1;
    for (int i = 0; i < t.n; i++) {
      const TlbEntry &e = t.e[i];
      int code = e.mm == kFreedMm ? cfg.nr_mms() : e.mm;
      if (e.mm != kFreedMm && e.mm >= cfg.nr_mms()) does_not_fit("TlbEntry.mm", e.mm, 0);
      if (e.asid >= (1u << L.asid)) does_not_fit("TlbEntry.asid", e.asid, L.asid);
      if (e.pad_) does_not_fit("TlbEntry.pad_", e.pad_, 0);
      int bit = e.asid * codes + code;
      if (bit <= prev) throw std::logic_error("packed state: a TLB is not in canonical (sorted) order");
      prev = bit;
      words[bit >> 6] |= uint64_t{1} << (bit & 63);
    }
    check_tlb_tail(t);
    for (int i = 0; i < nbits; i += 32) v.put((words[i >> 6] >> (i & 63)) & 0xffffffffu, std::min(32, nbits - i));
  } else {
    for (int i = 0; i < nbits; i += 32) words[i >> 6] |= v.get(std::min(32, nbits - i)) << (i & 63);
    uint8_t n = 0;
    for (int w = 0; w < (nbits + 63) / 64; w++)
      for (uint64_t x = words[w]; x; x &= x - 1) t.e[n++] = L.tlb_of_bit[w * 64 + std::countr_zero(x)];
    t.n = n;
  }
}

template <class V, class S, class Lay>
[[gnu::always_inline]] inline void visit_tlb(V &v, const Config &cfg, const Lay &L, S &t, int cpu) {
  if (L.tlb_bitmask) {
    if constexpr (requires { v.tlb_bitmask(t, cpu); })
      v.tlb_bitmask(t, cpu);
    else
      visit_tlb_bitmask(v, cfg, L, t);
    return;
  }
  // All kTlbCapacity entries (the unused ones are TlbEntry{}), so that the
  // component holding this TLB has a fixed width.
  v.template field<Code::raw>(t.n, L.tlb_n, "Tlb.n");
  for (int i = 0; i < kTlbCapacity; i++) {
    v.template field<Code::raw>(t.e[i].asid, L.asid, "TlbEntry.asid");
    v.template field<Code::mm>(t.e[i].mm, L.mm, "TlbEntry.mm");
    v.template field<Code::raw>(t.e[i].pad_, 0, "TlbEntry.pad_");
  }
  if constexpr (std::is_const_v<S>) {
    check_tlb_tail(t);
  }
}

// One walk over the configured fields, shared by pack (S = const State),
// unpack (S = State) and the layout's bit count, so that the three agree.
// Components (each byte-aligned; visited_set.h interns each separately): the
// tasks (in two parts beyond four tasks), each CPU, then the mms and the
// globals. Each visit_* below is one component and reads only its own part
// of the State (pack_successor() relies on that).
template <class V, class S, class Lay>
[[gnu::always_inline]] inline void visit_tasks(V &v, const Lay &L, S &s, int from, int to) {
  for (int t = from; t < to; t++) {
    auto &ts = s.task[t];
    v.template field<Code::raw>(ts.run, 2, "TaskState.run");
    v.template field<Code::raw>(ts.on_cpu, 1, "TaskState.on_cpu");
    v.template field<Code::mm>(ts.mm, L.mm, "TaskState.mm");
    v.template field<Code::mm>(ts.active_mm, L.mm, "TaskState.active_mm");
    v.template field<Code::task>(ts.saved_ctx, L.task, "TaskState.saved_ctx");
    v.template field<Code::raw>(ts.exited_mm, 1, "TaskState.exited_mm");
    v.template field<Code::task>(ts.sw_prev, L.task, "TaskState.sw_prev");
    v.template field<Code::task>(ts.sw_next, L.task, "TaskState.sw_next");
    v.template field<Code::task>(ts.last, L.task, "TaskState.last");
  }
  v.align();
}

template <class V, class S, class Lay>
[[gnu::always_inline]] inline void visit_cpu(V &v, const Config &cfg, const Lay &L, S &s, int c) {
  constexpr bool writing = std::is_const_v<S>;
  auto &cs = s.cpu[c];
  v.template field<Code::task>(cs.curr, L.task, "CpuState.curr");
  v.template field<Code::task>(cs.sp_el0, L.task, "CpuState.sp_el0");
  v.template field<Code::task>(cs.regs, L.task, "CpuState.regs");
  v.template field<Code::mm>(cs.prev_mm, L.mm, "CpuState.prev_mm");
  v.template field<Code::raw>(cs.pc, L.pc, "CpuState.pc");
  v.template field<Code::mm>(cs.ttbr0, L.mm, "CpuState.ttbr0");
  v.template field<Code::raw>(cs.ttbr0_asid, L.asid, "CpuState.ttbr0_asid");
  v.template field<Code::raw>(cs.ttbr1_asid, L.asid, "CpuState.ttbr1_asid");
  visit_ctxid(v, L, cs.active, "CpuState.active");
  visit_ctxid(v, L, cs.reserved, "CpuState.reserved");
  visit_ctxid(v, L, cs.asid, "CpuState.asid");
  visit_ctxid(v, L, cs.old_active, "CpuState.old_active");
  if (c == 0 || !cfg.cnp) {
    visit_tlb(v, cfg, L, cs.tlb, c);
  } else if constexpr (writing) {
    if (cs.tlb.n || cs.tlb.pad_ || !(cs.tlb.e[0] == TlbEntry{})) does_not_fit("CpuState.tlb (CnP, cpu > 0)", 1, 0);
  }
  v.template field<Code::raw>(cs.caller, 2, "CpuState.caller");
  v.template field<Code::mm>(cs.sm_prev, L.mm, "CpuState.sm_prev");
  v.template field<Code::mm>(cs.sm_next, L.mm, "CpuState.sm_next");
  v.template field<Code::raw>(cs.idx, L.cpu_idx, "CpuState.idx");
  v.template field<Code::mm>(cs.ref_mm, L.mm, "CpuState.ref_mm");
  v.template field<Code::mm>(cs.op_mm, L.mm, "CpuState.op_mm");
  v.template field<Code::task>(cs.fts_prev, L.task, "CpuState.fts_prev");
  v.template field<Code::raw>(cs.prev_state, 1, "CpuState.prev_state");
  v.template field<Code::task>(cs.ghost_prev_curr, L.task, "CpuState.ghost_prev_curr");
  v.template field<Code::raw>(cs.pad_, 0, "CpuState.pad_");
  v.align();
}

template <class V, class S, class Lay>
[[gnu::always_inline]] inline void visit_mms_globals(V &v, const Config &cfg, const Lay &L, S &s) {
  for (int m = 0; m < cfg.nr_mms(); m++) {
    auto &ms = s.mm[m];
    v.template field<Code::raw>(ms.live, 1, "MmState.live");
    v.template field<Code::raw>(ms.freed, 1, "MmState.freed");
    v.template field<Code::raw>(ms.users, L.users, "MmState.users (mm_users)");
    v.template field<Code::raw>(ms.count, L.count, "MmState.count (mm_count)");
    visit_ctxid(v, L, ms.id, "MmState.id");
    v.template field<Code::raw>(ms.pinned, L.pinned, "MmState.pinned");
    v.template field<Code::raw>(ms.underflow, 1, "MmState.underflow");
  }
  v.template field<Code::raw>(s.generation, L.gen, "asid_generation");
  visit_bits(v, s.asid_map, L.map, "asid_map");
  visit_bits(v, s.pinned_asid_map, L.pinned_map, "pinned_asid_map");
  v.template field<Code::raw>(s.tlb_flush_pending, cfg.cpus, "tlb_flush_pending");
  v.template field<Code::task>(s.asid_lock, L.lock, "cpu_asid_lock");
  v.template field<Code::raw>(s.cur_idx, L.cur_idx, "cur_idx");
  v.template field<Code::raw>(s.nr_pinned_asids, L.nr_pinned, "nr_pinned_asids");
  v.template field<Code::raw>(s.alloc_failed, 1, "alloc_failed");
  v.align();
}

template <class V, class S, class Lay>
[[gnu::always_inline]] inline void visit_state(V &v, const Config &cfg, const Lay &L, S &s) {
  if (L.task_split >= 0) {
    visit_tasks(v, L, s, 0, L.task_split);
    visit_tasks(v, L, s, L.task_split, cfg.nr_tasks());
  } else {
    visit_tasks(v, L, s, 0, cfg.nr_tasks());
  }
  for (int c = 0; c < cfg.cpus; c++) visit_cpu(v, cfg, L, s, c);
  visit_mms_globals(v, cfg, L, s);
}

inline const uint8_t *bytes_at(const State &s, size_t off) { return reinterpret_cast<const uint8_t *>(&s) + off; }
template <class T>
size_t offset_in(const State &s, const T &member) {
  return static_cast<size_t>(reinterpret_cast<const uint8_t *>(&member) - reinterpret_cast<const uint8_t *>(&s));
}

}  // namespace

CtxswSystem::CtxswSystem(const Model &model, std::vector<const Property *> props, bool symmetry, BitOps bit_ops)
    : model_(model), start_(model.initial_state()) {
  if (symmetry) groups_ = symmetry_groups(model_.config());
  if (props.empty())
    for (const Property &p : all_properties()) props.push_back(&p);
  for (const Property *p : props) {
    if (p->kind == PropertyKind::deadlock)
      deadlock_ = p;
    else
      invariants_.push_back(p);
  }
  {
    AsidSet probe;
    probe.set(kMaxAsids - 1);
    probe.set(64);
    AsidWords w{};
    w.back() = uint64_t{1} << 63;
    w[1] |= 1;
    if (std::bit_cast<AsidWords>(probe) != w) throw std::logic_error("packed state: unexpected std::bitset layout");
  }
  const Config &cfg = model_.config();
  const bool mutated = cfg.mutant != Mutant::none;  // a mutant may break the reference-count bounds
  pinned_map_ = cfg.pinned || cfg.kpti;
  PackLayout &L = L_;
  L.task = bits_for(cfg.nr_tasks() + 1);
  L.mm = bits_for(cfg.nr_mms() + 3);
  // renumber_generations() leaves values 0..slots+1 (slots: one per mm and four per CPU).
  L.gen = cfg.renumber_generations ? bits_for(cfg.nr_mms() + 4 * cfg.cpus + 2) : 8;
  L.asid = cfg.asid_bits;
  L.pc = bits_for(kNumPcs);
  L.cpu_idx = bits_for(cfg.cpus + 1);
  L.lock = bits_for(cfg.cpus + 1);
  // mm_users: the tasks using an mm plus kthread_use_mm users (and init_mm's 2);
  // mm_count: 1 + lazy borrowers + rq->prev_mm + references held by locals + pins.
  L.users = mutated ? 8 : bits_for(cfg.nr_tasks() + 3);
  L.count = mutated ? 8 : bits_for(2 * (cfg.nr_tasks() + 2 * cfg.cpus + 2));
  L.pinned = cfg.pinned ? bits_for(cfg.nr_tasks() + 2) : 0;
  L.cur_idx = cfg.asid_bits + 1;
  L.nr_pinned = cfg.asid_bits + 1;
  L.map = cfg.num_user_asids();
  L.pinned_map = pinned_map_ ? cfg.num_user_asids() : 0;
  L.tlb_mm_codes = cfg.nr_mms() + 1;
  L.tlb_n = bits_for(kTlbCapacity + 1);
  const int list_bits = L.tlb_n + kTlbCapacity * (L.asid + L.mm);
  const int mask_bits = cfg.num_user_asids() * L.tlb_mm_codes;
  L.tlb_bitmask = mask_bits <= 256 && mask_bits <= list_bits;
  L.tlb_bits = L.tlb_bitmask ? mask_bits : list_bits;
  if (L.tlb_bitmask)
    for (int bit = 0; bit < mask_bits; bit++) {
      const int code = bit % L.tlb_mm_codes;
      L.tlb_of_bit[static_cast<size_t>(bit)] = TlbEntry(static_cast<uint16_t>(bit / L.tlb_mm_codes),
                                                        static_cast<uint8_t>(code == cfg.nr_mms() ? kFreedMm : code));
    }
  // The tasks in two components when there are more than four: each half
  // then has far fewer distinct values than all tasks together (default
  // configuration, first 3 M states: 68 k + 6 k values for the halves
  // against 672 k for one component), which is worth its 4-byte number.
  L.task_split = cfg.nr_tasks() > 4 ? (cfg.nr_tasks() + 1) / 2 : -1;
  Counter count;
  State s = model_.initial_state();
  visit_state(count, cfg, L, std::as_const(s));
  L.total_bits = count.bits;
  bytes_ = (static_cast<size_t>(L.total_bits) + 7) / 8;
  for (size_t i = 0, prev = 0; i < count.marks.size(); i++) {
    size_t end = static_cast<size_t>(count.marks[i]) / 8;
    if (end > prev) parts_.push_back(end - prev);
    prev = end;
  }
  // The same components, in visit_state()'s order, with the bytes of State
  // each one packs (for pack_successor()).
  std::vector<Component> comps;
  auto tasks = [&](int from, int to) {
    comps.push_back({Component::tasks, from, to, offset_in(s, s.task[static_cast<size_t>(from)]),
                     static_cast<size_t>(to - from) * sizeof(TaskState)});
  };
  if (L.task_split >= 0) {
    tasks(0, L.task_split);
    tasks(L.task_split, cfg.nr_tasks());
  } else {
    tasks(0, cfg.nr_tasks());
  }
  for (int c = 0; c < cfg.cpus; c++)
    comps.push_back({Component::cpu, c, c + 1, offset_in(s, s.cpu[static_cast<size_t>(c)]), sizeof(CpuState)});
  comps.push_back({Component::mms_globals, 0, 0, offset_in(s, s.mm[0]),
                   static_cast<size_t>(cfg.nr_mms()) * sizeof(MmState), offset_in(s, s.generation),
                   sizeof(State) - offset_in(s, s.generation)});
  if (comps.size() != count.marks.size()) throw std::logic_error("packed state: components and layout disagree");
  for (size_t i = 0, prev = 0; i < comps.size(); i++) {
    comps[i].rec_off = prev;
    comps[i].rec_len = static_cast<size_t>(count.marks[i]) / 8 - prev;
    prev += comps[i].rec_len;
  }
  comps_ = std::move(comps);
  compile_program(s);
  bmi2_ = bit_ops == BitOps::fastest && have_bmi2();
}

// The packing program. pack() does not write the fields one by one: each
// component's fields, in the order of their bytes in State, are cut into
// windows of 8 bytes, and a window is packed with one add (the byte codes of
// encode()), one check (no value wider than its field; bytes no field
// covers are State{}'s) and one bit extract; unpack() reverses it with a
// bit deposit. The record's bits are thus in State's byte order, not
// visit_state()'s (which still decides which fields exist, their widths and
// the names in error messages).
void CtxswSystem::compile_program(const State &s) {
  Recorder rec(s);
  visit_state(rec, model_.config(), L_, s);
  if (rec.comps.size() != comps_.size() + 1) throw std::logic_error("packed state: recorded components disagree");
  const auto *blank = reinterpret_cast<const uint8_t *>(&blank_);
  size_t packed_up_to = 0;
  for (size_t ci = 0; ci < comps_.size(); ci++) {
    Component &k = comps_[ci];
    std::vector<FieldPlace> &fields = rec.comps[ci];
    std::sort(fields.begin(), fields.end(), [](const FieldPlace &a, const FieldPlace &b) { return a.off < b.off; });
    std::vector<int> starts(sizeof(State), -1);  // the field that starts at each byte
    std::vector<bool> covered(sizeof(State));
    for (size_t f = 0; f < fields.size(); f++) {
      if (fields[f].tlb_cpu < 0 && (fields[f].size > 4 || fields[f].width > 32))
        throw std::logic_error("packed state: a field wider than 32 bits");
      const bool inside = (fields[f].off >= k.off && fields[f].off + fields[f].size <= k.off + k.len) ||
                          (fields[f].off >= k.off2 && fields[f].off + fields[f].size <= k.off2 + k.len2);
      if (!inside) throw std::logic_error("packed state: a field outside its component's bytes");
      for (size_t b = fields[f].off; b < fields[f].off + fields[f].size; b++) {
        if (covered[b]) throw std::logic_error("packed state: two fields share a byte");
        covered[b] = true;
      }
      starts[fields[f].off] = static_cast<int>(f);
    }
    k.win_begin = windows_.size();
    int bits = 0;
    auto cut = [&](size_t from, size_t to) {
      // unpack() relies on the windows of all components being in State's
      // byte order (each stores bytes after its own that later ones rewrite).
      if (from < packed_up_to && from < to) throw std::logic_error("packed state: components out of State's order");
      packed_up_to = std::max(packed_up_to, to);
      for (size_t i = from; i < to;) {
        if (starts[i] >= 0 && fields[static_cast<size_t>(starts[i])].tlb_cpu >= 0) {
          Window w;
          w.off = static_cast<uint32_t>(i);
          w.bits = L_.tlb_bits;
          w.tlb_cpu = fields[static_cast<size_t>(starts[i])].tlb_cpu;
          windows_.push_back(w);
          bits += w.bits;
          i += sizeof(Tlb);
          continue;
        }
        Window w;
        const size_t first = i;
        w.off = static_cast<uint32_t>(std::min(i, sizeof(State) - 8));
        while (i < to) {
          // A byte no field covers must keep State{}'s value.
          const FieldPlace u = starts[i] >= 0 ? fields[static_cast<size_t>(starts[i])] : FieldPlace{i, 1, 0, Code::raw};
          if (u.tlb_cpu >= 0 || i + u.size > w.off + 8 || w.bits + u.width > 56) break;
          const int lane = 8 * static_cast<int>(i - w.off);
          const uint64_t bytes = ((uint64_t{1} << (8 * u.size)) - 1) << lane;  // size <= 4
          const uint64_t bits_of = ((uint64_t{1} << u.width) - 1) << lane;     // width <= 32
          const uint64_t code = u.code == Code::task ? kTaskCode : u.code == Code::mm ? kMmCode : 0;
          w.own |= bytes;
          w.mask |= bits_of;
          w.fixed |= bytes & ~bits_of;
          if (starts[i] < 0) w.value |= uint64_t{blank[i]} << lane;
          w.add |= code << lane;
          w.bits += u.width;
          i += u.size;
        }
        // unpack() stores all 8 bytes, State{}'s in those the window does not
        // pack; a window moved back to fit in State keeps the bytes before
        // its first (merge).
        w.spill = load64(blank + w.off) & ~w.own;
        w.merge = w.off < first;
        w.trivial = w.bits == 0 && ((sub_bytes(w.value, w.add) ^ load64(blank + w.off)) & w.own) == 0;
        windows_.push_back(w);
        bits += w.bits;
      }
    };
    cut(k.off, k.off + k.len);
    cut(k.off2, k.off2 + k.len2);
    k.win_end = windows_.size();
    if (static_cast<size_t>(bits + 7) / 8 != k.rec_len)
      throw std::logic_error("packed state: the packing program and the layout disagree");
  }
}

template <bool kBmi2>
void CtxswSystem::pack_component(const Component &k, const State &s, uint8_t *out) const {
  const auto *base = reinterpret_cast<const uint8_t *>(&s);
  BitSink sink(out + k.rec_off, out + bytes_);  // may write into the next components, packed or copied later
  for (size_t i = k.win_begin; i < k.win_end; i++) {
    const Window &w = windows_[i];
    if (w.tlb_cpu >= 0) {
      visit_tlb_bitmask(sink, model_.config(), L_, s.cpu[static_cast<size_t>(w.tlb_cpu)].tlb);
      continue;
    }
    const uint64_t x = add_bytes(load64(base + w.off), w.add);
    if ((x & w.fixed) != w.value) [[unlikely]]
      does_not_pack(s);
    sink.put(kBmi2 ? extract_bmi2(x, w.mask) : extract_soft(x, w.mask), w.bits);
  }
  sink.flush();
}

template <bool kBmi2>
void CtxswSystem::unpack_record(const uint8_t *in, State &s) const {
  s = blank_;  // the fields the layout leaves out keep State{}'s values
  auto *base = reinterpret_cast<uint8_t *>(&s);
  for (const Component &k : comps_) {
    BitSource src(in + k.rec_off, in + bytes_);
    for (size_t i = k.win_begin; i < k.win_end; i++) {
      const Window &w = windows_[i];
      if (w.tlb_cpu >= 0) {
        visit_tlb_bitmask(src, model_.config(), L_, s.cpu[static_cast<size_t>(w.tlb_cpu)].tlb);
        continue;
      }
      if (w.trivial) continue;  // its bytes are State{}'s
      const uint64_t bits = src.get(w.bits);
      const uint64_t x = (kBmi2 ? deposit_bmi2(bits, w.mask) : deposit_soft(bits, w.mask)) | w.value;
      // The windows are in State's byte order: bytes past this window's own
      // get State{}'s values here and their own ones from a later window.
      const uint64_t other = w.merge ? load64(base + w.off) & ~w.own : w.spill;
      store64(base + w.off, other | (sub_bytes(x, w.add) & w.own));
    }
  }
}

void CtxswSystem::does_not_pack(const State &s) const {
  std::vector<uint8_t> scratch(bytes_ + 8);
  Writer w(scratch.data());
  visit_state(w, model_.config(), L_, s);  // throws, naming the field, for a value wider than its field
  throw std::length_error("packed state: a byte of State that this configuration leaves out differs from State{}");
}

double CtxswSystem::expected_bytes_per_state() const {
  return StateStore::expected_bytes_per_state(parts_.size() >= 2 ? parts_.size() * sizeof(uint32_t) : bytes_);
}

void CtxswSystem::pack(const State &s, uint8_t *out) const {
  for (const Component &k : comps_) bmi2_ ? pack_component<true>(k, s, out) : pack_component<false>(k, s, out);
}

void CtxswSystem::pack_successor(const State &parent, const uint8_t *parent_rec, const State &s, uint8_t *out) const {
  for (const Component &k : comps_) {
    if (equal_bytes(bytes_at(s, k.off), bytes_at(parent, k.off), k.len) &&
        equal_bytes(bytes_at(s, k.off2), bytes_at(parent, k.off2), k.len2))
      std::memcpy(out + k.rec_off, parent_rec + k.rec_off, k.rec_len);
    else
      bmi2_ ? pack_component<true>(k, s, out) : pack_component<false>(k, s, out);
  }
}

void CtxswSystem::unpack(const uint8_t *in, State &s) const {
  bmi2_ ? unpack_record<true>(in, s) : unpack_record<false>(in, s);
}

void CtxswSystem::canonical(State &s) const { canonicalise(model_.config(), groups_, s); }

std::vector<State> CtxswSystem::initial_states() const {
  State s = start_;
  canonicalise(model_.config(), groups_, s);  // the model's own, once
  return {s};
}

void CtxswSystem::concretize(std::vector<State> &states, std::vector<Step> &labels) const {
  if (groups_.empty() || states.empty()) return;
  std::vector<State> cs{start_};
  std::vector<Step> cl;
  for (size_t i = 1; i < states.size(); i++) {
    bool found = false;
    const State cur = cs.back();  // cs grows inside the callback: do not iterate a reference into it
    model_.successors(cur, [&](const Step &l, const State &n) {
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
