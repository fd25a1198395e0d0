// SPDX-License-Identifier: GPL-2.0-only
//
// Projection of model states onto the encoding's state, and back from Z3
// models to readable states.
#include "ctxsw/prover/project.h"

#include <algorithm>
#include <set>
#include <sstream>

namespace ctxsw::prover {

using z3::expr;
using z3::expr_vector;

APc project_pc(Pc pc) {
  switch (pc) {
    case Pc::casc_read_id:
      return APc::read_id;
    case Pc::casc_read_active:
      return APc::read_active;
    case Pc::casc_gen_match:
      return APc::gen_match;
    case Pc::casc_cmpxchg:
      return APc::cmpxchg;
    case Pc::casc_lock:
      return APc::lock;
    case Pc::casc_new_context:
      return APc::new_context;
    case Pc::nc_rollover:
      return APc::rollover;
    case Pc::fc_xchg:
      return APc::fc_xchg;
    case Pc::nc_after_flush:
      return APc::after_flush;
    case Pc::casc_set_id:
      return APc::set_id;
    case Pc::casc_unlock:
      return APc::unlock;
    default:
      return APc::out;
  }
}

namespace {

CtxVal val(CtxId id) { return CtxVal{id.gen, id.asid}; }

}  // namespace

Concrete project(const Config &cfg, const State &s) {
  Concrete c;
  c.cpus = cfg.cpus;
  c.mms = cfg.nr_mms();
  c.asid_bits = cfg.asid_bits;
  c.gen = s.generation;
  for (int a = 0; a < cfg.num_user_asids(); a++) {
    c.asids.push_back(static_cast<uint32_t>(a));
    c.map.push_back(s.asid_map.test(a));
  }
  for (int i = 0; i < cfg.cpus; i++) {
    const CpuState &cs = s.cpu[i];
    APc pc = project_pc(cs.pc);
    bool in = pc != APc::out;
    c.pc.push_back(pc);
    c.act.push_back(val(cs.active));
    c.res.push_back(val(cs.reserved));
    c.pend.push_back((s.tlb_flush_pending >> i) & 1);
    // Locals, 0 where dead (the encoding clears them the same way).
    bool asid_live =
        pc == APc::read_active || pc == APc::gen_match || pc == APc::cmpxchg || pc == APc::set_id || pc == APc::unlock;
    c.loc.push_back(asid_live ? val(cs.asid) : CtxVal{});
    c.old.push_back(pc == APc::gen_match || pc == APc::cmpxchg ? val(cs.old_active) : CtxVal{});
    c.idx.push_back(pc == APc::fc_xchg ? cs.idx : 0);
    c.sm.push_back(in ? cs.sm_next : 0);
    // The ghost hw_asid: the ASID this CPU's switch installs (cpu_do_switch_mm()
    // reads ASID(mm) again, then writes TTBR1_EL1.ASID).
    uint32_t hw = cs.ttbr1_asid;
    if (cs.pc == Pc::csm_reserved || cs.pc == Pc::csm_read_asid) hw = s.mm[cs.sm_next].id.asid;
    if (cs.pc == Pc::csm_write_ttbr) hw = cs.asid.asid;
    c.hw.push_back(hw);
  }
  for (int m = 0; m < cfg.nr_mms(); m++) {
    c.id.push_back(val(s.mm[m].id));
    c.live.push_back(s.mm[m].live);
    c.freed.push_back(s.mm[m].freed);
  }
  c.cur_idx = s.cur_idx;
  c.held = s.asid_lock != kNone;
  c.owner = c.held ? s.asid_lock : 0;
  c.failed = s.alloc_failed;
  return c;
}

AState to_terms(const Encoding &e, const Concrete &c) {
  z3::context &z = e.z();
  auto cpu_arr = [&](auto get, const expr &dflt) {
    expr a = z3::const_array(e.cpu_sort(), dflt);
    for (int i = 0; i < c.cpus; i++) a = z3::store(a, e.cpu(i), get(i));
    return a;
  };
  auto mm_arr = [&](auto get, const expr &dflt) {
    expr a = z3::const_array(e.mm_sort(), dflt);
    for (int i = 0; i < c.mms; i++) a = z3::store(a, e.mm(i), get(i));
    return a;
  };
  expr I0 = z.int_val(0), A0 = e.asid(0), F = z.bool_val(false);
  expr map = z3::const_array(e.asid_sort(), F);
  for (size_t i = 0; i < c.asids.size(); i++)
    if (c.map[i]) map = z3::store(map, e.asid(c.asids[i]), z.bool_val(true));
  auto g = [&](const std::vector<CtxVal> &v) { return [&](int i) { return z.int_val(v[i].g); }; };
  auto a = [&](const std::vector<CtxVal> &v) { return [&](int i) { return e.asid(v[i].a); }; };
  auto b = [&](const std::vector<bool> &v) { return [&](int i) { return z.bool_val(v[i]); }; };
  return AState{
      z.int_val(c.gen),
      map,
      cpu_arr(g(c.act), I0),
      cpu_arr(a(c.act), A0),
      cpu_arr(g(c.res), I0),
      cpu_arr(a(c.res), A0),
      cpu_arr(b(c.pend), F),
      mm_arr(g(c.id), I0),
      mm_arr(a(c.id), A0),
      mm_arr(b(c.live), F),
      mm_arr(b(c.freed), F),
      e.asid(c.cur_idx),
      z.bool_val(c.held),
      e.cpu(c.owner),
      z.bool_val(c.failed),
      cpu_arr([&](int i) { return e.pc(c.pc[i]); }, e.pc(APc::out)),
      cpu_arr(g(c.loc), I0),
      cpu_arr(a(c.loc), A0),
      cpu_arr(g(c.old), I0),
      cpu_arr(a(c.old), A0),
      cpu_arr([&](int i) { return e.cpu(c.idx[i]); }, e.cpu(0)),
      cpu_arr([&](int i) { return e.mm(c.sm[i]); }, e.mm(0)),
      cpu_arr([&](int i) { return e.asid(c.hw[i]); }, A0),
  };
}

expr agrees(const Encoding &e, const AState &t, const Concrete &c) {
  z3::context &z = e.z();
  expr_vector v(z);
  v.push_back(t.gen == z.int_val(c.gen));
  for (size_t i = 0; i < c.asids.size(); i++)
    v.push_back(z3::select(t.map, e.asid(c.asids[i])) == z.bool_val(c.map[i]));
  auto ctx = [&](const expr &g, const expr &a, const expr &i, CtxVal x) {
    v.push_back(z3::select(g, i) == z.int_val(x.g));
    v.push_back(z3::select(a, i) == e.asid(x.a));
  };
  for (int i = 0; i < c.cpus; i++) {
    expr r = e.cpu(i);
    ctx(t.act_g, t.act_a, r, c.act[i]);
    ctx(t.res_g, t.res_a, r, c.res[i]);
    ctx(t.asid_g, t.asid_a, r, c.loc[i]);
    ctx(t.old_g, t.old_a, r, c.old[i]);
    v.push_back(z3::select(t.pend, r) == z.bool_val(c.pend[i]));
    v.push_back(z3::select(t.pc, r) == e.pc(c.pc[i]));
    v.push_back(z3::select(t.idx, r) == e.cpu(c.idx[i]));
    v.push_back(z3::select(t.sm, r) == e.mm(c.sm[i]));
    v.push_back(z3::select(t.hw, r) == e.asid(c.hw[i]));
  }
  for (int m = 0; m < c.mms; m++) {
    expr x = e.mm(m);
    ctx(t.id_g, t.id_a, x, c.id[m]);
    v.push_back(z3::select(t.live, x) == z.bool_val(c.live[m]));
    v.push_back(z3::select(t.freed, x) == z.bool_val(c.freed[m]));
  }
  v.push_back(t.cur_idx == e.asid(c.cur_idx));
  v.push_back(t.held == z.bool_val(c.held));
  v.push_back(t.owner == e.cpu(c.owner));
  v.push_back(t.failed == z.bool_val(c.failed));
  return z3::mk_and(v);
}

namespace {

uint64_t num(const z3::model &m, const expr &x) {
  expr v = m.eval(x, true);
  uint64_t u = 0;
  if (v.is_numeral_u64(u)) return u;
  return 0;
}
int64_t inum(const z3::model &m, const expr &x) {
  expr v = m.eval(x, true);
  int64_t i = 0;
  if (v.is_numeral_i64(i)) return i;
  return 0;
}
bool truth(const z3::model &m, const expr &x) { return m.eval(x, true).is_true(); }

}  // namespace

Concrete read_model(const Encoding &e, const z3::model &m, const AState &s, int cpus, const std::vector<uint64_t> &mms,
                    const std::vector<uint32_t> &extra_asids) {
  Concrete c;
  c.cpus = cpus;
  c.mms = static_cast<int>(mms.size());
  c.gen = inum(m, s.gen);
  auto ctx = [&](const expr &g, const expr &a, const expr &i) {
    return CtxVal{inum(m, z3::select(g, i)), static_cast<uint32_t>(num(m, z3::select(a, i)))};
  };
  std::set<uint32_t> asids;
  for (int i = 0; i < cpus; i++) {
    expr r = e.cpu(i);
    c.act.push_back(ctx(s.act_g, s.act_a, r));
    c.res.push_back(ctx(s.res_g, s.res_a, r));
    c.loc.push_back(ctx(s.asid_g, s.asid_a, r));
    c.old.push_back(ctx(s.old_g, s.old_a, r));
    c.pend.push_back(truth(m, z3::select(s.pend, r)));
    APc pc = APc::out;
    expr pv = m.eval(z3::select(s.pc, r), true);
    for (unsigned p = 0; p < kNumAPcs; p++)
      if (z3::eq(pv, e.pc(static_cast<APc>(p)))) pc = static_cast<APc>(p);
    c.pc.push_back(pc);
    c.idx.push_back(static_cast<uint32_t>(num(m, z3::select(s.idx, r))));
    c.sm.push_back(num(m, z3::select(s.sm, r)));
    c.hw.push_back(static_cast<uint32_t>(num(m, z3::select(s.hw, r))));
    for (const CtxVal &v : {c.act.back(), c.res.back(), c.loc.back(), c.old.back()}) asids.insert(v.a);
    asids.insert(c.hw.back());
  }
  for (uint64_t mm : mms) {
    expr x = e.mm(mm);
    c.id.push_back(ctx(s.id_g, s.id_a, x));
    c.live.push_back(truth(m, z3::select(s.live, x)));
    c.freed.push_back(truth(m, z3::select(s.freed, x)));
    asids.insert(c.id.back().a);
  }
  c.cur_idx = static_cast<uint32_t>(num(m, s.cur_idx));
  c.held = truth(m, s.held);
  c.owner = static_cast<uint32_t>(num(m, s.owner));
  c.failed = truth(m, s.failed);
  asids.insert(c.cur_idx);
  asids.insert(extra_asids.begin(), extra_asids.end());
  for (uint32_t a : asids) {
    c.asids.push_back(a);
    c.map.push_back(truth(m, z3::select(s.map, e.asid(a))));
  }
  return c;
}

std::string format_ctx(CtxVal v) {
  if (v.g == 0 && v.a == 0) return "0";
  return "g" + std::to_string(v.g) + ":" + std::to_string(v.a);
}

std::string format_state(const Concrete &c, const Concrete *b, const std::vector<uint64_t> &mm_ids) {
  std::ostringstream o;
  auto mark = [&](bool changed) { return changed ? "*" : " "; };
  auto mmname = [&](uint64_t m) { return m == 0 ? std::string("init_mm") : "mm" + std::to_string(m); };
  o << mark(b && b->gen != c.gen) << " asid_generation " << c.gen << "   " << mark(b && b->cur_idx != c.cur_idx)
    << "cur_idx " << c.cur_idx << "   " << mark(b && (b->held != c.held || b->owner != c.owner)) << "cpu_asid_lock "
    << (c.held ? "cpu" + std::to_string(c.owner) : std::string("free")) << "   " << mark(b && b->failed != c.failed)
    << "alloc_failed " << (c.failed ? "yes" : "no") << "\n";
  o << mark(b && b->map != c.map) << " asid_map bits set among the ASIDs shown:";
  bool any = false;
  for (size_t i = 0; i < c.asids.size(); i++)
    if (c.map[i]) o << " " << c.asids[i], any = true;
  if (!any) o << " none";
  o << "\n";
  for (int i = 0; i < c.cpus; i++) {
    auto ch = [&](auto member) { return b && i < b->cpus && (b->*member)[i] != (c.*member)[i]; };
    o << "  cpu" << i << ": " << mark(ch(&Concrete::pc)) << "pc=" << apc_name(c.pc[i]);
    if (c.pc[i] != APc::out) o << " " << mark(ch(&Concrete::sm)) << "next=" << mmname(c.sm[i]);
    o << " " << mark(ch(&Concrete::act)) << "active_asids=" << format_ctx(c.act[i]) << " " << mark(ch(&Concrete::res))
      << "reserved_asids=" << format_ctx(c.res[i]) << " " << mark(ch(&Concrete::pend))
      << "flush_pending=" << (c.pend[i] ? 1 : 0) << " " << mark(ch(&Concrete::hw)) << "hw_asid=" << c.hw[i];
    // Locals where they are live (elsewhere the encoding keeps them 0).
    APc p = c.pc[i];
    if (p == APc::read_active || p == APc::gen_match || p == APc::cmpxchg || p == APc::set_id || p == APc::unlock)
      o << " " << mark(ch(&Concrete::loc)) << "asid=" << format_ctx(c.loc[i]);
    if (p == APc::gen_match || p == APc::cmpxchg)
      o << " " << mark(ch(&Concrete::old)) << "old_active_asid=" << format_ctx(c.old[i]);
    if (p == APc::fc_xchg) o << " " << mark(ch(&Concrete::idx)) << "i=" << c.idx[i];
    o << "\n";
  }
  for (int m = 0; m < c.mms; m++) {
    auto ch = [&](auto member) { return b && m < b->mms && (b->*member)[m] != (c.*member)[m]; };
    uint64_t name = m < static_cast<int>(mm_ids.size()) ? mm_ids[m] : static_cast<uint64_t>(m);
    o << "  " << mmname(name) << ": " << mark(ch(&Concrete::id)) << "context.id=" << format_ctx(c.id[m]) << " "
      << mark(ch(&Concrete::live) || ch(&Concrete::freed))
      << (c.live[m]    ? "live"
          : c.freed[m] ? "freed"
                       : "not forked")
      << "\n";
  }
  return o.str();
}

}  // namespace ctxsw::prover
