// SPDX-License-Identifier: GPL-2.0-only
#include "ctxsw/explore/session.h"

#include <fmt/format.h>

#include <fstream>
#include <ostream>
#include <sstream>

#include "ctxsw/explore/html.h"
#include "ctxsw/formats/words.h"
#include "ctxsw/model/describe.h"
#include "ctxsw/properties/properties.h"

namespace ctxsw::explore {
namespace {

std::vector<std::string> words(const std::string &line) { return split_words(line); }

bool parse_count(const std::string &s, long &v) { return parse_decimal(s, 9, v); }

// The fields `show` prints always; the others (locals of the code a CPU is
// executing, ghost variables) only when they hold something.
bool is_main_field(const std::string &name) {
  static const char *kMain[] = {".curr",       ".pc",           ".ttbr0",          ".ttbr0_asid", ".ttbr1_asid",
                                ".prev_mm",    ".active_asids", ".reserved_asids", ".tlb",        ".state",
                                ".on_cpu",     ".mm",           ".active_mm",      ".mm_users",   ".mm_count",
                                ".context_id", ".pinned"};
  for (const char *m : kMain) {
    std::string_view suf(m);
    if (name.size() >= suf.size() && name.compare(name.size() - suf.size(), suf.size(), suf) == 0) return true;
  }
  return name == "tlb";
}

bool is_empty_value(const std::string &v) { return v == "-" || v == "0" || v == "{}"; }

// "cpu0.curr" → {"cpu0", "curr"}; "task.A.mm" → {"task A", "mm"}; globals → {"globals", name}.
std::pair<std::string, std::string> split_field(const std::string &name) {
  if (name.rfind("task.", 0) == 0 || name.rfind("mm.", 0) == 0) {
    size_t a = name.find('.'), b = name.find('.', a + 1);
    if (b != std::string::npos) return {name.substr(0, a) + " " + name.substr(a + 1, b - a - 1), name.substr(b + 1)};
  }
  if (name.rfind("cpu", 0) == 0) {
    size_t a = name.find('.');
    if (a != std::string::npos) return {name.substr(0, a), name.substr(a + 1)};
  }
  return {"globals", name};
}

const char *kHelp =
    "commands (a number alone takes that enabled step):\n"
    "  show [all] [FILTER]   the state: per CPU, per task, per mm, allocator globals\n"
    "                        (locals only when set; 'all' shows every field; FILTER matches field names)\n"
    "  diff                  only the fields the step into this state changed\n"
    "  next [N] | back [N]   move N steps along the trace (default 1)\n"
    "  goto N                jump to step N (0 = initial state)\n"
    "  steps                 list the steps of the trace, '>' marks the position\n"
    "  enabled               list the steps enabled here, numbered ('*' = the trace's next step)\n"
    "  take N                take enabled step N (the trace after this point is replaced)\n"
    "  check                 check every property at this state\n"
    "  save FILE             save the walk as a trace (replay it with `ctxsw replay FILE`)\n"
    "  html FILE             write the walk as a self-contained HTML viewer\n"
    "  help | quit\n";

}  // namespace

Session::Session(Trace t) : model_(t.cfg), tr_(std::move(t)) {
  if (tr_.states.empty()) tr_.states.push_back(model_.initial_state());
}

const std::vector<std::string> &Session::commands() {
  static const std::vector<std::string> k = {"show", "diff",  "next", "back", "goto", "steps", "enabled",
                                             "take", "check", "save", "html", "help", "quit"};
  return k;
}

std::vector<std::pair<Step, State>> Session::enabled() const {
  std::vector<std::pair<Step, State>> v;
  model_.successors(current(), [&](const Step &s, const State &n) { v.emplace_back(s, n); });
  return v;
}

Trace Session::walk() const {
  Trace t = tr_;
  auto [name, detail] = violated_at_end(t.cfg, t.states.back());
  t.property = name;
  t.detail = detail;
  return t;
}

void Session::show(std::ostream &out, const std::string &filter, bool all) const {
  std::string group, label, line;
  auto flush = [&] {
    if (!line.empty()) out << fmt::format("  {:<15}{}\n", label, line);
    line.clear();
    label.clear();  // continuation lines are indented under the group
  };
  for (const Field &f : describe_state(tr_.cfg, current())) {
    if (!filter.empty() && f.name.find(filter) == std::string::npos) continue;
    if (!all && !is_main_field(f.name) && is_empty_value(f.value)) continue;
    auto [g, n] = split_field(f.name);
    if (g != group) {
      flush();
      group = label = g;
    }
    std::string item = n + "=" + f.value;
    if (!line.empty() && line.size() + item.size() > 96) flush();
    line += (line.empty() ? "" : "  ") + item;
  }
  flush();
}

void Session::show_position(std::ostream &out) const {
  const Config &cfg = tr_.cfg;
  size_t last = tr_.states.size() - 1;
  if (pos_ == 0) {
    out << fmt::format("[0/{}] initial state\n", last);
    return;
  }
  out << fmt::format("[{}/{}] {}\n", pos_, last, describe_step(cfg, tr_.labels[pos_ - 1]));
  for (const Field &f : changed_fields(cfg, tr_.states[pos_ - 1], tr_.states[pos_]))
    out << fmt::format("      {} = {}\n", f.name, f.value);
}

bool Session::move_to(size_t pos, std::ostream &out) {
  if (pos >= tr_.states.size()) {
    out << fmt::format("error: no step {} (the trace has steps 0..{})\n", pos, tr_.states.size() - 1);
    return false;
  }
  pos_ = pos;
  show_position(out);
  return true;
}

bool Session::execute(const std::string &line, std::ostream &out) {
  auto w = words(line);
  if (w.empty() || w[0][0] == '#') return true;
  const Config &cfg = tr_.cfg;
  auto fail = [&](const std::string &m) {
    out << "error: " << m << "\n";
    return false;
  };
  std::string c = w[0];
  long n = 1;
  if (parse_count(c, n)) {  // "3" = "take 3"
    w.insert(w.begin(), "take");
    c = "take";
  }
  if (c == "help" || c == "?" || c == "h") {
    out << kHelp;
    return true;
  }
  if (c == "quit" || c == "exit" || c == "q") {
    done_ = true;
    return true;
  }
  if (c == "show" || c == "s" || c == "state") {
    bool all = w.size() > 1 && w[1] == "all";
    std::string filter = w.size() > (all ? 2u : 1u) ? w[all ? 2 : 1] : "";
    out << fmt::format("state at step {}/{}:\n", pos_, tr_.states.size() - 1);
    show(out, filter, all);
    return true;
  }
  if (c == "diff" || c == "d" || c == "changed") {
    if (pos_ == 0) {
      out << "initial state: nothing changed yet\n";
      return true;
    }
    show_position(out);
    return true;
  }
  if (c == "next" || c == "n" || c == "back" || c == "b" || c == "prev") {
    n = 1;
    if (w.size() > 1 && !parse_count(w[1], n)) return fail("'" + c + "' takes a number of steps");
    bool fwd = c == "next" || c == "n";
    if (fwd && pos_ + n >= tr_.states.size())
      return fail(fmt::format("at step {} of {}: the trace ends here ('enabled' lists the steps you can take)", pos_,
                              tr_.states.size() - 1));
    if (!fwd && static_cast<long>(pos_) < n) return fail(fmt::format("at step {}: cannot go back {}", pos_, n));
    return move_to(fwd ? pos_ + n : pos_ - n, out);
  }
  if (c == "goto" || c == "g" || c == "jump") {
    if (w.size() != 2 || !parse_count(w[1], n)) return fail("'goto' takes a step number");
    return move_to(static_cast<size_t>(n), out);
  }
  if (c == "steps" || c == "trace" || c == "l") {
    out << fmt::format("{} initial state\n", pos_ == 0 ? ">" : " ");
    for (size_t i = 0; i < tr_.labels.size(); i++)
      out << fmt::format("{} {:>3}. {}\n", pos_ == i + 1 ? ">" : " ", i + 1, describe_step(cfg, tr_.labels[i]));
    if (!tr_.property.empty()) out << fmt::format("  violated at the end: {}: {}\n", tr_.property, tr_.detail);
    return true;
  }
  if (c == "enabled" || c == "e" || c == "list") {
    auto en = enabled();
    if (en.empty()) {
      out << (model_.quiescent(current()) ? "no step is enabled (every CPU has left the modelled paths)\n"
                                          : "no step is enabled: DEADLOCK (sched.no_deadlock)\n");
      return true;
    }
    for (size_t i = 0; i < en.size(); i++) {
      bool recorded = pos_ < tr_.labels.size() && tr_.labels[pos_] == en[i].first;
      out << fmt::format("{} {:>2}. {:<28} {}\n", recorded ? "*" : " ", i + 1,
                         fmt::format("cpu{} {}", en[i].first.cpu, step_token(cfg, en[i].first)),
                         describe_step(cfg, en[i].first));
    }
    return true;
  }
  if (c == "take" || c == "t") {
    if (w.size() != 2 || !parse_count(w[1], n) || n < 1) return fail("'take' takes the number 'enabled' shows");
    auto en = enabled();
    if (static_cast<size_t>(n) > en.size())
      return fail(fmt::format("no enabled step {} here ({} enabled; 'enabled' lists them)", n, en.size()));
    const auto &[step, next] = en[n - 1];
    if (pos_ < tr_.labels.size() && tr_.labels[pos_] == step) return move_to(pos_ + 1, out);
    if (pos_ < tr_.labels.size())
      out << fmt::format("(leaving the trace: steps {}..{} are discarded)\n", pos_ + 1, tr_.labels.size());
    tr_.states.resize(pos_ + 1);
    tr_.labels.resize(pos_);
    tr_.states.push_back(next);
    tr_.labels.push_back(step);
    tr_.property.clear();
    tr_.detail.clear();
    return move_to(pos_ + 1, out);
  }
  if (c == "check" || c == "c") {
    bool any = false;
    for (const Property &p : all_properties()) {
      std::string d;
      if (p.kind == PropertyKind::invariant) {
        d = p.check(cfg, current());
      } else if (enabled().empty() && !model_.quiescent(current())) {
        d = "no step is enabled but some CPU is inside a kernel path";
      }
      any |= !d.empty();
      out << fmt::format("  {:<26} {}\n", p.name, d.empty() ? "holds" : "VIOLATED: " + d);
    }
    out << (any ? "some property is violated at this state\n" : "all properties hold at this state\n");
    return true;
  }
  if (c == "save" || c == "html") {
    if (w.size() != 2) return fail("'" + c + "' takes a file name");
    Trace t = walk();
    std::string text = c == "save" ? trace_to_json(t).dump(2) + "\n" : trace_html(t);
    std::ofstream f(w[1]);
    if (!f || !(f << text)) return fail("cannot write " + w[1]);
    out << fmt::format("saved {} steps to {}{}\n", t.labels.size(), w[1],
                       t.property.empty() ? "" : " (violates " + t.property + " at the end)");
    return true;
  }
  return fail("unknown command '" + c + "' (help lists the commands)");
}

}  // namespace ctxsw::explore
