// SPDX-License-Identifier: GPL-2.0-only
//
// The transition relation: which actions are enabled in a state, and the
// dispatch from a CPU's program point to the action that executes it.
#include "ctxsw/model/model.h"

#include "kernel.h"

namespace ctxsw {

using kernel::K;

void State::init_fields() {
  for (auto &t : task) t = TaskState{};
  for (auto &c : cpu) c = CpuState{};
  for (auto &m : mm) m = MmState{};
  generation = 1;
  asid_lock = kNone;
  cur_idx = 1;
}

Model::Model(Config cfg) : cfg_(std::move(cfg)) {}

State Model::initial_state() const {
  State s;
  const Config &cfg = cfg_;
  // init_mm: mm_users = 2, mm_count = 1 + one lazy reference per idle thread.
  s.mm[kInitMm].live = 1;
  s.mm[kInitMm].users = 2;
  s.mm[kInitMm].count = static_cast<uint8_t>(1 + cfg.cpus);
  for (int t = 0; t < cfg.nr_tasks(); t++) {
    const TaskSpec &spec = cfg.tasks[t];
    TaskState &ts = s.task[t];
    if (!spec.born) continue;
    ts.run = TaskRun::running;
    ts.saved_ctx = static_cast<uint8_t>(t);
    if (spec.kind == TaskKind::idle) {
      ts.active_mm = kInitMm;  // idle_task: active_mm = &init_mm
    } else if (spec.kind == TaskKind::user) {
      ts.mm = ts.active_mm = spec.mm;
      MmState &m = s.mm[spec.mm];
      m.live = 1;
      m.count = 1;
      m.users++;
    }
  }
  for (int c = 0; c < cfg.cpus; c++) {
    CpuState &cs = s.cpu[c];
    cs.curr = cs.sp_el0 = cs.regs = static_cast<uint8_t>(c);  // swapper/c
    s.task[c].on_cpu = 1;
  }
  if (cfg.kpti) {
    // asids_init(): CONFIG_UNMAP_KERNEL_AT_EL0 reserves the odd (user) half of
    // each pair; asids_update_limit(): set_kpti_asid_bits(pinned_asid_map).
    for (int a = 1; a < cfg.num_user_asids(); a += 2) {
      s.asid_map.set(a);
      s.pinned_asid_map.set(a);
    }
  }
  if (cfg.mutant == Mutant::alloc_from_zero) s.cur_idx = 0;
  return s;
}

bool Model::quiescent(const State &s) const {
  for (int c = 0; c < cfg_.cpus; c++)
    if (s.cpu[c].pc != Pc::running) return false;
  return true;
}

namespace {

// Steps that wait: the spinlock, and a CPU whose allocation failed.
bool step_enabled(const Config &cfg, const State &s, int c) {
  switch (s.cpu[c].pc) {
    case Pc::casc_lock:
    case Pc::pin_lock:
      return kernel::asid_lock_free(s);
    case Pc::nc_after_flush:
      return !s.alloc_failed;
    default:
      (void)cfg;
      return true;
  }
}

void execute_pc(K &k) {
  using namespace kernel;
  switch (k.cpu().pc) {
    case Pc::running:
      break;
    case Pc::cs_mm:
      context_switch_mm(k);
      break;
    case Pc::cs_from_kernel:
      context_switch_from_kernel(k);
      break;
    case Pc::switch_to:
      switch_to(k);
      break;
    case Pc::fts_finish_task:
      finish_task_switch_finish_task(k);
      break;
    case Pc::fts_mmdrop:
      finish_task_switch_mmdrop(k);
      break;
    case Pc::fts_task_dead:
      finish_task_switch_task_dead(k);
      break;
    case Pc::casc_cnp_reserved:
      casc_cnp_reserved(k);
      break;
    case Pc::casc_read_id:
      casc_read_id(k);
      break;
    case Pc::casc_read_active:
      casc_read_active(k);
      break;
    case Pc::casc_gen_match:
      casc_gen_match(k);
      break;
    case Pc::casc_cmpxchg:
      casc_cmpxchg(k);
      break;
    case Pc::casc_lock:
      casc_lock(k);
      break;
    case Pc::casc_new_context:
      casc_new_context(k);
      break;
    case Pc::nc_rollover:
      new_context_rollover(k);
      break;
    case Pc::fc_xchg:
      flush_context_xchg(k);
      break;
    case Pc::nc_after_flush:
      new_context_after_flush(k);
      break;
    case Pc::casc_set_id:
      casc_set_id(k);
      break;
    case Pc::casc_unlock:
      casc_unlock(k);
      break;
    case Pc::csm_reserved:
      cpu_switch_mm_reserved(k);
      break;
    case Pc::csm_read_asid:
      cpu_do_switch_mm_read_asid(k);
      break;
    case Pc::csm_write_ttbr:
      cpu_do_switch_mm_write_ttbr(k);
      break;
    case Pc::exit_clear_mm:
      exit_clear_mm(k);
      break;
    case Pc::mmput:
      mmput(k);
      break;
    case Pc::mmput_mmdrop:
      mmput_mmdrop(k);
      break;
    case Pc::kum_grab:
      kthread_use_mm_grab(k);
      break;
    case Pc::kum_drop:
      kthread_use_mm_drop(k);
      break;
    case Pc::pin_lock:
      mm_context_get_lock(k);
      break;
    case Pc::pin_body:
      mm_context_get_body(k);
      break;
    case Pc::pin_set:
      mm_context_get_set(k);
      break;
    case Pc::pin_fail_drop:
      mm_context_get_fail_drop(k);
      break;
    case Pc::unpin_mmdrop:
      mm_context_put_mmdrop(k);
      break;
  }
}

// pick_next_task() may return any runnable task that is not running and
// whose on_cpu is clear (its stack is free); idle threads stay on their CPU.
bool schedule_eligible(const Config &cfg, const State &s, int c, int t) {
  const TaskState &ts = s.task[t];
  if (t == s.cpu[c].curr || ts.run != TaskRun::running || ts.on_cpu) return false;
  if (cfg.tasks[t].kind == TaskKind::idle && t != c) return false;
  for (int o = 0; o < cfg.cpus; o++)
    if (s.cpu[o].curr == t) return false;
  return true;
}

int first_unborn_task(const Config &cfg, const State &s) {
  for (int t = 0; t < cfg.nr_tasks(); t++)
    if (!cfg.tasks[t].born && s.task[t].run == TaskRun::unborn) return t;
  return -1;
}

int first_unborn_mm(const Config &cfg, const State &s) {
  for (int m = cfg.nr_mms() - cfg.fork_slots; m < cfg.nr_mms(); m++)
    if (!s.mm[m].live && !s.mm[m].freed) return m;
  return -1;
}

}  // namespace

void Model::successors_impl(const State &s, const SuccessorSink &f) const {
  const Config &cfg = cfg_;
  auto emit = [&](int c, Step step, auto &&act) {
    State n = s;
    K k{cfg, n, c};
    act(k);
    if (cfg.tlb_fills) kernel::tlb_fill_eagerly(cfg, n);
    if (cfg.renumber_generations) kernel::renumber_generations(cfg, n);
    f(step, n);
  };
  for (int c = 0; c < cfg.cpus; c++) {
    const CpuState &cs = s.cpu[c];
    uint8_t c8 = static_cast<uint8_t>(c);
    if (cs.pc != Pc::running) {
      if (step_enabled(cfg, s, c)) emit(c, Step{c8, Action::step, cs.pc, kNone}, [](K &k) { execute_pc(k); });
    } else {
      const uint8_t cur = cs.curr;
      const TaskState &t = s.task[cur];
      const TaskKind kind = cfg.tasks[cur].kind;
      for (int n = 0; n < cfg.nr_tasks(); n++) {
        if (!schedule_eligible(cfg, s, c, n)) continue;
        uint8_t n8 = static_cast<uint8_t>(n);
        emit(c, Step{c8, Action::schedule, Pc::running, n8}, [n8](K &k) { kernel::schedule_pick(k, n8); });
      }
      if (t.run == TaskRun::running && kind == TaskKind::user && t.mm != kNone) {
        const MmState &m = s.mm[t.mm];
        if (cfg.exit && !(m.pinned && m.users == 1))
          emit(c, Step{c8, Action::exit_mm, Pc::running, t.mm}, [](K &k) { kernel::exit_mm_start(k); });
        if (int child = first_unborn_task(cfg, s); child >= 0) {
          uint8_t ch = static_cast<uint8_t>(child);
          if (int nm = first_unborn_mm(cfg, s); nm >= 0) {
            uint8_t nm8 = static_cast<uint8_t>(nm);
            emit(c, Step{c8, Action::fork_process, Pc::running, ch},
                 [ch, nm8](K &k) { kernel::fork_process(k, ch, nm8); });
          }
          emit(c, Step{c8, Action::fork_thread, Pc::running, ch}, [ch](K &k) { kernel::fork_thread(k, ch); });
        }
        if (cfg.pinned && m.pinned == 0)
          emit(c, Step{c8, Action::mm_context_get, Pc::running, t.mm}, [](K &k) { kernel::mm_context_get_start(k); });
        if (cfg.pinned && m.pinned > 0 && kernel::asid_lock_free(s))
          emit(c, Step{c8, Action::mm_context_put, Pc::running, t.mm}, [](K &k) { kernel::mm_context_put(k); });
      }
      if (t.run == TaskRun::running && kind == TaskKind::user && t.exited_mm)
        emit(c, Step{c8, Action::do_task_dead, Pc::running, kNone}, [](K &k) { kernel::do_task_dead(k); });
      if (t.run == TaskRun::running && kind == TaskKind::kthread && cfg.kthread_use_mm) {
        if (t.mm == kNone) {
          for (int m = 1; m < cfg.nr_mms(); m++) {
            if (!s.mm[m].live || s.mm[m].users == 0) continue;  // mmget_not_zero()
            uint8_t m8 = static_cast<uint8_t>(m);
            emit(c, Step{c8, Action::kthread_use_mm, Pc::running, m8},
                 [m8](K &k) { kernel::kthread_use_mm_start(k, m8); });
          }
        } else {
          emit(c, Step{c8, Action::kthread_unuse_mm, Pc::running, t.mm}, [](K &k) { kernel::kthread_unuse_mm(k); });
        }
      }
    }
  }
}

std::optional<State> Model::apply(const State &s, const Step &step) const {
  std::optional<State> out;
  successors(s, [&](const Step &st, const State &n) {
    if (!out && st == step) out = n;
  });
  return out;
}

}  // namespace ctxsw
