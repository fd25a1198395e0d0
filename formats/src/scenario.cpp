// SPDX-License-Identifier: GPL-2.0-only
#include "ctxsw/formats/scenario.h"

#include <fstream>
#include <map>
#include <ostream>
#include <sstream>

#include "ctxsw/formats/words.h"
#include "ctxsw/model/describe.h"
#include "ctxsw/model/model.h"
#include "ctxsw/model/pc.h"
#include "ctxsw/properties/properties.h"

namespace ctxsw {
namespace {

std::vector<std::string> words(const std::string &line) { return split_words(line); }

bool parse_int(const std::string &s, int &v) {
  long l = 0;
  if (!parse_decimal(s, 6, l)) return false;
  v = static_cast<int>(l);
  return true;
}

const std::map<std::string, Action> kActions = {
    {"schedule", Action::schedule},
    {"exit_mm", Action::exit_mm},
    {"do_task_dead", Action::do_task_dead},
    {"fork_process", Action::fork_process},
    {"fork_thread", Action::fork_thread},
    {"kthread_use_mm", Action::kthread_use_mm},
    {"kthread_unuse_mm", Action::kthread_unuse_mm},
    {"mm_context_get", Action::mm_context_get},
    {"mm_context_put", Action::mm_context_put},
};

}  // namespace

std::string parse_scenario(std::istream &in, const std::string &path, Scenario &out) {
  Scenario sc;
  sc.path = path;
  Config &cfg = sc.cfg;
  cfg.mm_names.clear();
  cfg.tasks.clear();
  cfg.fork_slots = 0;
  bool configured = false;
  std::string line;
  int ln = 0;
  auto err = [&](const std::string &msg) { return path + ":" + std::to_string(ln) + ": " + msg; };
  auto finish_config = [&]() -> std::string {
    if (configured) return "";
    configured = true;
    if (auto e = finalize(cfg); !e.empty()) return err(e);
    return "";
  };
  auto mm_index = [&](const std::string &name) -> int {
    for (size_t i = 0; i < cfg.mm_names.size(); i++)
      if (cfg.mm_names[i] == name) return static_cast<int>(i + 1);
    return -1;
  };

  while (std::getline(in, line)) {
    ln++;
    if (auto hash = line.find('#'); hash != std::string::npos) {
      if (ln == 1 || (sc.title.empty() && line.rfind("# title:", 0) == 0)) {
        std::string t = line.substr(hash + 1);
        if (t.rfind(" title:", 0) == 0) t = t.substr(7);
        while (!t.empty() && t.front() == ' ') t.erase(t.begin());
        if (sc.title.empty()) sc.title = t;
      }
      line = line.substr(0, hash);
    }
    auto w = words(line);
    if (w.empty()) continue;
    const std::string &k = w[0];
    auto nargs = [&](size_t lo, size_t hi) { return w.size() - 1 >= lo && w.size() - 1 <= hi; };

    // ---- configuration lines
    if (k == "cpus" || k == "asid-bits" || k == "fork" || k == "mm" || k == "task" || k == "option" || k == "mutant") {
      if (configured) return err("'" + k + "' after the first step: configuration comes first");
      int v = 0;
      if (k == "cpus" || k == "asid-bits" || k == "fork") {
        if (!nargs(1, 1) || !parse_int(w[1], v)) return err("'" + k + "' takes one number");
        (k == "cpus" ? cfg.cpus : k == "asid-bits" ? cfg.asid_bits : cfg.fork_slots) = v;
        // finalize() adds a task and an mm per fork slot before it checks the total
        if (k == "fork" && v > kMaxTasks)
          return err("'fork' " + w[1] + ": the model holds at most " + std::to_string(kMaxTasks) + " tasks");
      } else if (k == "mm") {
        if (!nargs(1, 1)) return err("'mm' takes one name");
        if (mm_index(w[1]) >= 0) return err("mm " + w[1] + " declared twice");
        cfg.mm_names.push_back(w[1]);
      } else if (k == "task") {
        if (w.size() < 3) return err("'task' takes NAME user MM | NAME kthread");
        TaskSpec t;
        t.name = w[1];
        if (w[2] == "user") {
          if (!nargs(3, 3)) return err("user task " + w[1] + " needs its mm: task NAME user MM");
          int m = mm_index(w[3]);
          if (m < 0) return err("unknown mm '" + w[3] + "' (declare it with 'mm " + w[3] + "' first)");
          t.kind = TaskKind::user;
          t.mm = static_cast<uint8_t>(m);
        } else if (w[2] == "kthread") {
          if (!nargs(2, 2)) return err("kernel thread " + w[1] + " takes no mm");
          t.kind = TaskKind::kthread;
        } else {
          return err("task kind must be 'user' or 'kthread', not '" + w[2] + "'");
        }
        cfg.tasks.push_back(t);
      } else if (k == "option") {
        if (!nargs(1, 1)) return err("'option' takes one name");
        const std::string &o = w[1];
        if (o == "no-exit")
          cfg.exit = false;
        else if (o == "no-tlb-fills")
          cfg.tlb_fills = false;
        else if (o == "kthread-use-mm")
          cfg.kthread_use_mm = true;
        else if (o == "pinned")
          cfg.pinned = true;
        else if (o == "kpti")
          cfg.kpti = true;
        else if (o == "cnp")
          cfg.cnp = true;
        else if (o == "allow-unsafe-config")
          cfg.allow_unsafe = true;
        else
          return err("unknown option '" + o + "'");
      } else {  // mutant
        if (!nargs(1, 1)) return err("'mutant' takes one name");
        auto m = mutant_by_name(w[1]);
        if (!m) return err("unknown mutant '" + w[1] + "'");
        cfg.mutant = *m;
      }
      continue;
    }

    if (auto e = finish_config(); !e.empty()) return e;
    ScenarioCmd cmd{ScenarioCmd::print, ln, -1, "", ""};
    if (k.rfind("cpu", 0) == 0) {
      int c = 0;
      if (!parse_int(k.substr(3), c) || c >= cfg.cpus)
        return err("no CPU '" + k + "' in a " + std::to_string(cfg.cpus) + "-CPU configuration");
      cmd.cpu = c;
      if (w.size() < 2) return err("'" + k + "' needs an action");
      const std::string &a = w[1];
      if (a == "switch" || a == "schedule") {
        if (!nargs(2, 2)) return err("'" + a + "' takes one task name");
        bool found = false;
        for (const TaskSpec &t : cfg.tasks) found |= t.name == w[2];
        if (!found) return err("unknown task '" + w[2] + "'");
        cmd.kind = a == "switch" ? ScenarioCmd::switch_to_task : ScenarioCmd::act;
        cmd.what = "schedule";
        cmd.value = w[2];
      } else if (a == "step") {
        if (!nargs(1, 2)) return err("'step' takes at most a program point");
        cmd.kind = ScenarioCmd::step;
        if (w.size() == 3) cmd.what = w[2];
      } else if (a == "run") {
        if (!nargs(1, 1)) return err("'run' takes no argument");
        cmd.kind = ScenarioCmd::run;
      } else if (a == "run-to") {
        if (!nargs(2, 2)) return err("'run-to' takes a program point (e.g. casc_cmpxchg)");
        bool known = false;
        for (int p = 0; p <= static_cast<int>(Pc::unpin_mmdrop); p++) known |= pc_name(static_cast<Pc>(p)) == w[2];
        if (!known) return err("unknown program point '" + w[2] + "'");
        cmd.kind = ScenarioCmd::run_to;
        cmd.what = w[2];
      } else if (kActions.count(a)) {
        if (!nargs(1, 2)) return err("'" + a + "' takes at most one argument");
        cmd.kind = ScenarioCmd::act;
        cmd.what = a;
        if (w.size() == 3) cmd.value = w[2];
      } else {
        return err("unknown action '" + a + "'");
      }
    } else if (k == "expect") {
      if (w.size() == 3 && (w[1] == "holds" || w[1] == "violated")) {
        if (!property_by_name(w[2])) return err("unknown property '" + w[2] + "'");
        cmd.kind = w[1] == "holds" ? ScenarioCmd::expect_holds : ScenarioCmd::expect_violated;
        cmd.what = w[2];
      } else if (w.size() >= 4 && (w[2] == "=" || w[2] == "!=")) {
        cmd.kind = w[2] == "=" ? ScenarioCmd::expect_eq : ScenarioCmd::expect_ne;
        cmd.what = w[1];
        std::string v = w[3];
        for (size_t i = 4; i < w.size(); i++) v += " " + w[i];
        cmd.value = v;
      } else {
        return err("expect FIELD = VALUE | expect FIELD != VALUE | expect holds|violated PROPERTY");
      }
    } else if (k == "set") {
      if (w.size() < 3) return err("set FIELD VALUE");
      cmd.kind = ScenarioCmd::set;
      cmd.what = w[1];
      cmd.value = w[2];
    } else if (k == "print") {
      cmd.kind = ScenarioCmd::print;
    } else {
      return err("unknown line '" + k + "'");
    }
    sc.cmds.push_back(cmd);
  }
  if (auto e = finish_config(); !e.empty()) return e;
  // Field names in expectations must exist.
  Model model(sc.cfg);
  auto fields = describe_state(sc.cfg, model.initial_state());
  for (const ScenarioCmd &c : sc.cmds) {
    if (c.kind != ScenarioCmd::expect_eq && c.kind != ScenarioCmd::expect_ne) continue;
    bool known = false;
    for (const Field &f : fields) known |= f.name == c.what;
    if (!known) {
      ln = c.line;
      return err("unknown field '" + c.what + "' (`ctxsw replay --fields FILE` lists them)");
    }
  }
  out = std::move(sc);
  return "";
}

std::string load_scenario(const std::string &path, Scenario &out) {
  std::ifstream in(path);
  if (!in) return path + ": cannot open";
  return parse_scenario(in, path, out);
}

namespace {

// `set` directives: the allocator state of a directed example.
std::string apply_set(const Config &cfg, State &s, const std::string &field, const std::string &value) {
  auto parse_ctxid = [&cfg](const std::string &v, CtxId &id) {
    if (v == "0") {
      id = CtxId{};
      return true;
    }
    int g = 0, a = 0;
    auto colon = v.find(':');
    if (v.size() < 4 || v[0] != 'g' || colon == std::string::npos) return false;
    if (!parse_int(v.substr(1, colon - 1), g) || !parse_int(v.substr(colon + 1), a)) return false;
    if (g < 1 || g > 200 || a >= cfg.num_user_asids()) return false;
    id = CtxId{static_cast<uint8_t>(g), static_cast<uint16_t>(a)};
    return true;
  };
  if (field == "asid_map") {  // "1-255" or "1,2,5" or "{}"
    s.asid_map.reset();
    std::string v = value;
    if (v == "{}") return "";
    std::stringstream ss(v);
    for (std::string part; std::getline(ss, part, ',');) {
      int lo = 0, hi = 0;
      auto dash = part.find('-');
      bool ok = dash == std::string::npos ? parse_int(part, lo) && (hi = lo, true)
                                          : parse_int(part.substr(0, dash), lo) && parse_int(part.substr(dash + 1), hi);
      if (!ok || lo > hi || hi >= cfg.num_user_asids()) return "bad ASID range '" + part + "'";
      for (int i = lo; i <= hi; i++) s.asid_map.set(i);
    }
    return "";
  }
  int v = 0;
  if (field == "cur_idx") {
    if (!parse_int(value, v) || v >= cfg.num_user_asids()) return "bad cur_idx '" + value + "'";
    s.cur_idx = static_cast<uint16_t>(v);
    return "";
  }
  if (field == "asid_generation") {
    if (value.size() < 2 || value[0] != 'g' || !parse_int(value.substr(1), v) || v < 1 || v > 200)
      return "bad generation '" + value + "' (gN)";
    s.generation = static_cast<uint8_t>(v);
    return "";
  }
  CtxId id;
  for (int m = 1; m < cfg.nr_mms(); m++) {
    if (field == "mm." + cfg.mm_name(m) + ".context_id") {
      if (!parse_ctxid(value, id)) return "bad context id '" + value + "' (0 or gN:ASID)";
      s.mm[m].id = id;
      return "";
    }
  }
  for (int c = 0; c < cfg.cpus; c++) {
    std::string p = "cpu" + std::to_string(c) + ".";
    if (field == p + "active_asids" || field == p + "reserved_asids") {
      if (!parse_ctxid(value, id)) return "bad ASID '" + value + "' (0 or gN:ASID)";
      (field == p + "active_asids" ? s.cpu[c].active : s.cpu[c].reserved) = id;
      return "";
    }
  }
  return "cannot set '" + field +
         "' (asid_map, cur_idx, asid_generation, mm.X.context_id, cpuN.active_asids, "
         "cpuN.reserved_asids)";
}

std::string field_value(const Config &cfg, const State &s, const std::string &name) {
  for (const Field &f : describe_state(cfg, s))
    if (f.name == name) return f.value;
  return "<no such field>";
}

void print_fields(std::ostream &out, const std::vector<Field> &fields, const char *indent) {
  for (const Field &f : fields) out << indent << f.name << " = " << f.value << "\n";
}

}  // namespace

ReplayResult run_scenario(const Scenario &sc, std::ostream *out, bool full) {
  ReplayResult r;
  // A directed replay is finite by construction: it shows the kernel's own
  // generation numbers (gN = asid_generation / ASID_FIRST_VERSION) rather
  // than the checker's canonical labels.
  Config cfg = sc.cfg;
  cfg.renumber_generations = false;
  Model model(cfg);
  State s = model.initial_state();
  r.initial = s;
  auto fail = [&](int line, const std::string &msg) {
    r.failures.push_back(sc.path + ":" + std::to_string(line) + ": " + msg);
  };
  auto take = [&](const ScenarioCmd &c, const Step &step) -> bool {
    auto n = model.apply(s, step);
    if (!n) {
      fail(c.line, describe_step(cfg, step) + " is not enabled here");
      return false;
    }
    if (out) {
      *out << "[" << r.steps.size() + 1 << "] " << describe_step(cfg, step) << "\n";
      print_fields(*out, full ? describe_state(cfg, *n) : changed_fields(cfg, s, *n), "      ");
    }
    s = *n;
    r.steps.push_back({step, s, c.line});
    return true;
  };
  auto task_index = [&](const std::string &name) -> uint8_t {
    for (int t = 0; t < cfg.nr_tasks(); t++)
      if (cfg.tasks[t].name == name) return static_cast<uint8_t>(t);
    return kNone;
  };
  auto cpu_step = [&](const ScenarioCmd &c) {
    return Step{static_cast<uint8_t>(c.cpu), Action::step, s.cpu[c.cpu].pc, kNone};
  };
  auto run_cpu = [&](const ScenarioCmd &c) {
    for (int guard = 0; s.cpu[c.cpu].pc != Pc::running; guard++) {
      if (guard > 200) return fail(c.line, "cpu" + std::to_string(c.cpu) + " does not leave its kernel path");
      if (!take(c, cpu_step(c))) return;
    }
  };

  if (out) {
    if (!sc.title.empty()) *out << sc.title << "\n";
    *out << "initial state:\n";
    print_fields(*out, describe_state(cfg, s), "      ");
  }
  for (const ScenarioCmd &c : sc.cmds) {
    if (!r.ok() && c.kind != ScenarioCmd::expect_eq && c.kind != ScenarioCmd::expect_ne) {
      // a failed step makes later steps meaningless
      if (c.kind != ScenarioCmd::expect_holds && c.kind != ScenarioCmd::expect_violated) break;
    }
    switch (c.kind) {
      case ScenarioCmd::act: {
        // Match the enabled step of this CPU with this action (and argument).
        std::optional<Step> want;
        model.successors(s, [&](const Step &st, const State &) {
          if (want || st.cpu != c.cpu || action_name(st.action) != c.what) return;
          if (!c.value.empty()) {
            std::string arg =
                st.action == Action::schedule || st.action == Action::fork_process || st.action == Action::fork_thread
                    ? cfg.task_name(st.arg)
                    : cfg.mm_name(st.arg);
            if (arg != c.value) return;
          }
          want = st;
        });
        if (!want) {
          fail(c.line, "cpu" + std::to_string(c.cpu) + " cannot " + c.what + (c.value.empty() ? "" : " " + c.value) +
                           " here (pc " + std::string(pc_name(s.cpu[c.cpu].pc)) + ", current " +
                           cfg.task_name(s.cpu[c.cpu].curr) + ")");
          break;
        }
        take(c, *want);
        break;
      }
      case ScenarioCmd::switch_to_task: {
        uint8_t t = task_index(c.value);
        if (s.cpu[c.cpu].pc != Pc::running) {
          fail(c.line, "cpu" + std::to_string(c.cpu) + " is inside " + std::string(pc_function(s.cpu[c.cpu].pc)));
          break;
        }
        if (take(c, Step{static_cast<uint8_t>(c.cpu), Action::schedule, Pc::running, t})) run_cpu(c);
        break;
      }
      case ScenarioCmd::step:
        if (s.cpu[c.cpu].pc == Pc::running) {
          fail(c.line, "cpu" + std::to_string(c.cpu) + " is not inside a kernel path");
        } else if (!c.what.empty() && pc_name(s.cpu[c.cpu].pc) != c.what) {
          fail(c.line,
               "cpu" + std::to_string(c.cpu) + " is at " + std::string(pc_name(s.cpu[c.cpu].pc)) + ", not " + c.what);
        } else {
          take(c, cpu_step(c));
        }
        break;
      case ScenarioCmd::run:
        run_cpu(c);
        break;
      case ScenarioCmd::run_to:
        for (int guard = 0; pc_name(s.cpu[c.cpu].pc) != c.what; guard++) {
          if (guard > 200 || s.cpu[c.cpu].pc == Pc::running) {
            fail(c.line, "cpu" + std::to_string(c.cpu) + " never reaches " + c.what);
            break;
          }
          if (!take(c, cpu_step(c))) break;
        }
        break;
      case ScenarioCmd::set:
        if (auto e = apply_set(cfg, s, c.what, c.value); !e.empty())
          fail(c.line, e);
        else if (out)
          *out << "      (set) " << c.what << " = " << c.value << "\n";
        break;
      case ScenarioCmd::expect_eq:
      case ScenarioCmd::expect_ne: {
        r.expectations++;
        std::string got = field_value(cfg, s, c.what);
        bool eq = got == c.value;
        if (c.kind == ScenarioCmd::expect_eq && !eq)
          fail(c.line, "expected " + c.what + " = " + c.value + ", got " + got);
        if (c.kind == ScenarioCmd::expect_ne && eq) fail(c.line, "expected " + c.what + " != " + c.value);
        if (out)
          *out << "      expect " << c.what << (c.kind == ScenarioCmd::expect_eq ? " = " : " != ") << c.value
               << (r.failures.empty() || r.failures.back().find(":" + std::to_string(c.line) + ":") == std::string::npos
                       ? "  ok"
                       : "  FAILED")
               << "\n";
        break;
      }
      case ScenarioCmd::expect_holds:
      case ScenarioCmd::expect_violated: {
        r.expectations++;
        const Property *p = property_by_name(c.what);
        std::string detail = p->kind == PropertyKind::invariant ? p->check(cfg, s) : "";
        bool holds = detail.empty();
        if (c.kind == ScenarioCmd::expect_holds && !holds) fail(c.line, c.what + " is violated: " + detail);
        if (c.kind == ScenarioCmd::expect_violated && holds) fail(c.line, "expected " + c.what + " to be violated");
        if (out) *out << "      " << c.what << (holds ? " holds" : " violated: " + detail) << "\n";
        break;
      }
      case ScenarioCmd::print:
        if (out) print_fields(*out, describe_state(cfg, s), "      ");
        break;
    }
  }
  return r;
}

}  // namespace ctxsw
