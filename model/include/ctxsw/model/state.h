// SPDX-License-Identifier: GPL-2.0-only
//
// The one state record (SPEC §2). Storage only: the actions that change it
// live in model/src/, named after the kernel functions they model.
//
// Fixed size, trivially copyable, no heap: a State is copied, hashed and
// compared as bytes, so every constructor zero-fills padding and every
// action clears the locals that are dead at its program point (a dead local
// left behind would split one kernel state into many model states).
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "ctxsw/model/limits.h"
#include "ctxsw/model/pc.h"

namespace ctxsw {

// mm->context.id = generation | hardware ASID. gen is the generation
// number (asid_generation >> 16 in 6.1) after renumbering (see
// docs/generations.md); {0, 0} is the value 0 of a never-allocated mm.
struct CtxId {
  uint8_t gen = 0;
  uint8_t pad_ = 0;  // explicit, so the record has no padding bytes
  uint16_t asid = 0;
  CtxId() = default;
  CtxId(uint8_t g, uint16_t a) : gen(g), asid(a) {}
  bool is_zero() const { return gen == 0 && asid == 0; }
  friend bool operator==(const CtxId &, const CtxId &) = default;
};

enum class TaskRun : uint8_t {
  unborn,   // fork slot not used yet
  running,  // TASK_RUNNING: runnable or on a CPU
  dead,     // TASK_DEAD set by do_task_dead(), last schedule pending
  reaped,   // put_task_struct() done in finish_task_switch
};

struct TaskState {
  TaskRun run = TaskRun::unborn;
  uint8_t on_cpu = 0;         // p->on_cpu
  uint8_t mm = kNone;         // p->mm
  uint8_t active_mm = kNone;  // p->active_mm
  uint8_t saved_ctx = kNone;  // thread.cpu_context: whose registers are saved here
  uint8_t exited_mm = 0;      // exit_mm() done; do_task_dead() is next
  // Stack locals of context_switch() while the task is switched out:
  uint8_t sw_prev = kNone;  // prev (its own task: the stale value the 2-arg switch_to would use)
  uint8_t sw_next = kNone;  // next
  uint8_t last = kNone;     // x0 returned by cpu_switch_to() when it resumes
};

struct TlbEntry {
  uint16_t asid = 0;
  uint8_t mm = kNone;
  uint8_t pad_ = 0;
  TlbEntry() = default;
  TlbEntry(uint16_t a, uint8_t m) : asid(a), mm(m) {}
  friend bool operator==(const TlbEntry &, const TlbEntry &) = default;
};

// A TLB as a sorted set of (ASID, mm) non-global entries.
struct Tlb {
  std::array<TlbEntry, kTlbCapacity> e{};
  uint8_t n = 0;
  uint8_t pad_ = 0;
  bool contains(TlbEntry x) const {
    for (int i = 0; i < n; i++)
      if (e[i] == x) return true;
    return false;
  }
};

enum class Caller : uint8_t { none, context_switch, kthread_use_mm, mm_context_get };

struct CpuState {
  // run queue and hardware
  uint8_t curr = kNone;          // rq->curr
  uint8_t sp_el0 = kNone;        // current: whose stack this CPU runs on
  uint8_t regs = kNone;          // whose callee-saved registers are live (x19-x29, sp, lr)
  uint8_t prev_mm = kNone;       // rq->prev_mm
  Pc pc = Pc::running;           // next step of this CPU
  uint8_t ttbr0 = kReservedPgd;  // TTBR0_EL1.BADDR: an mm's pgd or reserved_pg_dir
  uint16_t ttbr0_asid = 0;       // TTBR0_EL1.ASID (written under CONFIG_ARM64_SW_TTBR0_PAN)
  uint16_t ttbr1_asid = 0;       // TTBR1_EL1.ASID: the ASID that tags walks (TCR_EL1.A1 = 1)
  CtxId active;                  // per_cpu(active_asids)
  CtxId reserved;                // per_cpu(reserved_asids)
  Tlb tlb;                       // this CPU's TLB (with CnP, cpu[0].tlb is the shared one)

  // Locals of the code this CPU is executing (dead ones are kNone / zero).
  CtxId asid;                       // check_and_switch_context()/new_context(): asid
  CtxId old_active;                 // check_and_switch_context(): old_active_asid
  Caller caller = Caller::none;     // who called switch_mm() / new_context()
  uint8_t sm_prev = kNone;          // switch_mm(prev, next, tsk): prev
  uint8_t sm_next = kNone;          //                             next (the mm being switched to)
  uint8_t idx = 0;                  // flush_context(): loop index i
  uint8_t ref_mm = kNone;           // an mm_count reference held only by a local (e.g. mm in finish_task_switch)
  uint8_t op_mm = kNone;            // mm operand of mmput()/exit_mm()
  uint8_t fts_prev = kNone;         // the task finish_task_switch() acts on
  uint8_t prev_state = 0;           // finish_task_switch(): prev_state == TASK_DEAD
  uint8_t ghost_prev_curr = kNone;  // ghost: rq->curr before this switch (for switch.last_is_previous)
  uint8_t pad_ = 0;
};

struct MmState {
  uint8_t live = 0;       // allocated and not yet freed by __mmdrop()
  uint8_t freed = 0;      // __mmdrop() ran
  uint8_t users = 0;      // mm_users
  uint8_t count = 0;      // mm_count
  CtxId id;               // context.id
  uint8_t pinned = 0;     // context.pinned (refcount)
  uint8_t underflow = 0;  // a mm_count/mm_users decrement found zero
};

struct State {
  std::array<TaskState, kMaxTasks> task{};
  std::array<CpuState, kMaxCpus> cpu{};
  std::array<MmState, kMaxMms> mm{};

  // globals of arch/arm64/mm/context.c
  uint8_t generation = 1;  // asid_generation (renumbered)
  std::bitset<kMaxAsids> asid_map;
  std::bitset<kMaxAsids> pinned_asid_map;
  uint8_t tlb_flush_pending = 0;  // cpumask
  uint8_t asid_lock = kNone;      // cpu_asid_lock: owner CPU or free
  uint16_t cur_idx = 1;           // static u32 cur_idx in new_context()
  uint8_t nr_pinned_asids = 0;
  uint8_t alloc_failed = 0;  // new_context() found no free ASID after rollover

  State() {
    std::memset(static_cast<void *>(this), 0, sizeof(*this));
    init_fields();
  }
  State(const State &o) { std::memcpy(static_cast<void *>(this), &o, sizeof(*this)); }
  State &operator=(const State &o) {
    std::memcpy(static_cast<void *>(this), &o, sizeof(*this));
    return *this;
  }
  friend bool operator==(const State &a, const State &b) { return std::memcmp(&a, &b, sizeof(State)) == 0; }

 private:
  void init_fields();
};

// No padding anywhere: equal kernel states are equal byte strings.
static_assert(std::has_unique_object_representations_v<CtxId>);
static_assert(std::has_unique_object_representations_v<TaskState>);
static_assert(std::has_unique_object_representations_v<Tlb>);
static_assert(std::has_unique_object_representations_v<CpuState>);
static_assert(std::has_unique_object_representations_v<MmState>);
static_assert(std::is_trivially_destructible_v<State>);

}  // namespace ctxsw
