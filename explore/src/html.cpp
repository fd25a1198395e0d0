// SPDX-License-Identifier: GPL-2.0-only
#include "ctxsw/explore/html.h"

#include "ctxsw/formats/config_json.h"

namespace ctxsw::explore {
namespace {

// The page: the trace JSON is spliced in at @TRACE@, the title at @TITLE@.
constexpr const char *kPage = R"HTML(<!DOCTYPE html>
<!-- SPDX-License-Identifier: GPL-2.0-only -->
<html lang="en"><head><meta charset="utf-8">
<title>ctxsw trace: @TITLE@</title>
<style>
body { font: 13px/1.35 system-ui, sans-serif; margin: 12px 16px; color: #222; }
h1 { font-size: 17px; margin: 0 0 4px; }
.cfg { color: #555; margin-bottom: 6px; }
#violated { background: #fde8e8; border: 1px solid #d33; padding: 5px 8px; margin: 6px 0; }
#violated b { color: #b00; }
#controls { display: flex; gap: 8px; align-items: center; margin: 8px 0; }
#step { flex: 1; }
#stepinfo { font-family: ui-monospace, monospace; margin: 4px 0 8px; min-height: 1.4em; }
#timeline { overflow-x: auto; border: 1px solid #ccc; padding: 4px; }
#timeline table { border-collapse: collapse; }
#timeline td { border: 1px solid #eee; min-width: 26px; height: 22px; text-align: center; font-size: 10px;
  cursor: pointer; white-space: nowrap; padding: 0 2px; }
#timeline th { text-align: right; padding-right: 6px; font-family: ui-monospace, monospace; }
#timeline td.act { background: #cfe2ff; }
#timeline td.act.fn-sched { background: #ffe8b0; }
#timeline td.act.fn-asid { background: #d7f5d0; }
#timeline td.act.fn-mm { background: #f1d6f7; }
#timeline td.cur { outline: 2px solid #d33; }
#timeline td.colcur { background-color: #fff3f3; }
#timeline td.act.colcur { filter: brightness(0.9); }
.tables { display: flex; flex-wrap: wrap; gap: 14px; margin-top: 10px; align-items: flex-start; }
table.state { border-collapse: collapse; font-family: ui-monospace, monospace; font-size: 12px; }
table.state caption { text-align: left; font-weight: bold; font-family: system-ui, sans-serif; }
table.state th, table.state td { border: 1px solid #ccc; padding: 1px 6px; }
table.state th { background: #f4f4f4; }
table.state td.changed { background: #ffe066; font-weight: bold; }
#selftest { display: none; }
</style></head>
<body>
<h1>ctxsw trace: @TITLE@</h1>
<div class="cfg" id="cfg"></div>
<div id="violated" hidden></div>
<div id="controls">
  <button id="prev" title="previous step (Left)">&#9664;</button>
  <input type="range" id="step" min="0" value="0">
  <button id="next" title="next step (Right)">&#9654;</button>
  <span id="stepno"></span>
</div>
<div id="stepinfo"></div>
<div id="timeline"></div>
<div class="tables" id="tables"></div>
<pre id="selftest"></pre>
<script id="trace" type="application/json">@TRACE@</script>
<script>
"use strict";
const T = JSON.parse(document.getElementById("trace").textContent);
const N = T.steps.length;
const states = [T.initial_state].concat(T.steps.map(s => s.state));
const $ = id => document.getElementById(id);
const el = (tag, attrs, text) => {
  const e = document.createElement(tag);
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
};
const cfg = T.configuration;
$("cfg").textContent = cfg.cpus + " CPUs, asid_bits " + cfg.asid_bits + ", tasks " +
  cfg.tasks.map(t => t.name + "(" + (t.kind === "user" ? "user " + t.mm : t.kind) + ")").join(" ") +
  ", mutant " + T.mutant + ", " + N + " steps";
if (T.violated) {
  const v = $("violated");
  v.hidden = false;
  v.append(el("b", {}, T.violated.property), document.createTextNode(" violated: " + (T.violated.detail || "")));
}

// --- timeline: one lane per CPU, one column per step
function fnClass(f) {
  if (/schedule|context_switch|switch_to|finish_task_switch|do_task_dead/.test(f)) return "fn-sched";
  if (/asid|context|new_context|flush_context|switch_mm|tlb/.test(f)) return "fn-asid";
  return "fn-mm";
}
const lanes = [];
{
  const tbl = el("table", {id: "lanes"});
  const head = el("tr");
  head.append(el("th", {}, ""));
  for (let i = 1; i <= N; i++) head.append(el("td", {"data-col": i}, String(i)));
  tbl.append(head);
  for (let c = 0; c < cfg.cpus; c++) {
    const tr = el("tr", {class: "lane", "data-cpu": c});
    tr.append(el("th", {}, "cpu" + c));
    for (let i = 1; i <= N; i++) {
      const s = T.steps[i - 1];
      const td = el("td", {"data-col": i});
      if (s.cpu === c) {
        td.className = "act " + fnClass(s.function);
        td.textContent = s.function.replace("check_and_switch_context", "casc").replace("finish_task_switch", "fts")
          .replace("context_switch", "cs").replace("flush_context", "flush").replace("__schedule", "sched");
        td.title = i + ". " + s.description;
      }
      td.addEventListener("click", () => go(i));
      tr.append(td);
    }
    tbl.append(tr);
    lanes.push(tr);
  }
  $("timeline").append(tbl);
}

// --- state tables: CPUs (field x cpu), tasks and mms (name x field), globals
const cells = {};  // field name -> td
{
  const names = T.fields || Object.keys(states[0]);
  const cpuFields = [], taskRows = [], taskCols = [], mmRows = [], mmCols = [], globals = [];
  const add = (arr, x) => { if (!arr.includes(x)) arr.push(x); };
  for (const n of names) {
    let m;
    if ((m = /^cpu(\d+)\.(.*)$/.exec(n))) add(cpuFields, m[2]);
    else if ((m = /^task\.(.+)\.([^.]+)$/.exec(n))) { add(taskRows, m[1]); add(taskCols, m[2]); }
    else if ((m = /^mm\.(.+)\.([^.]+)$/.exec(n))) { add(mmRows, m[1]); add(mmCols, m[2]); }
    else globals.push(n);
  }
  const cell = name => {
    const td = el("td", {"data-field": name});
    if (name in states[0]) cells[name] = td; else td.textContent = "";
    return td;
  };
  const grid = (caption, id, rows, cols, fieldOf, rowHead, colHead) => {
    const t = el("table", {class: "state", id: id});
    t.append(el("caption", {}, caption));
    const h = el("tr");
    h.append(el("th", {}, rowHead));
    for (const c of cols) h.append(el("th", {}, colHead(c)));
    t.append(h);
    for (const r of rows) {
      const tr = el("tr");
      tr.append(el("th", {}, r));
      for (const c of cols) tr.append(cell(fieldOf(r, c)));
      t.append(tr);
    }
    $("tables").append(t);
  };
  const cpus = [...Array(cfg.cpus).keys()];
  grid("CPUs", "cpus", cpuFields, cpus, (f, c) => "cpu" + c + "." + f, "field", c => "cpu" + c);
  grid("tasks", "tasks", taskRows, taskCols, (r, c) => "task." + r + "." + c, "task", c => c);
  grid("address spaces", "mms", mmRows, mmCols, (r, c) => "mm." + r + "." + c, "mm", c => c);
  grid("allocator globals", "globals", globals, ["value"], (r, c) => r, "global", c => c);
}

// --- stepping
let cur = -1;
const slider = $("step");
slider.max = N;
function go(i) {
  i = Math.max(0, Math.min(N, i));
  cur = i;
  slider.value = i;
  $("stepno").textContent = "step " + i + " / " + N;
  $("stepinfo").textContent = i === 0 ? "initial state" : i + ". " + T.steps[i - 1].description;
  const s = states[i], p = i > 0 ? states[i - 1] : null;
  for (const n in cells) {
    cells[n].textContent = s[n] === undefined ? "" : s[n];
    cells[n].classList.toggle("changed", p !== null && p[n] !== s[n]);
  }
  for (const tr of lanes)
    for (const td of tr.querySelectorAll("td")) {
      const col = +td.dataset.col;
      td.classList.toggle("colcur", col === i);
      td.classList.toggle("cur", col === i && td.classList.contains("act"));
    }
  document.body.dataset.step = i;
}
slider.addEventListener("input", () => go(+slider.value));
$("prev").addEventListener("click", () => go(cur - 1));
$("next").addEventListener("click", () => go(cur + 1));
document.addEventListener("keydown", e => {
  if (e.key === "ArrowLeft") go(cur - 1);
  if (e.key === "ArrowRight") go(cur + 1);
});

// --- URL fragment: #step=N, #selftest
function selftest() {
  const errs = [];
  let checked = 0, changed = 0;
  for (let i = 0; i <= N; i++) {
    slider.value = i;
    slider.dispatchEvent(new Event("input"));
    if (document.body.dataset.step !== String(i)) errs.push("slider did not move to step " + i);
    for (const n in states[i]) {
      const td = document.querySelector('td[data-field="' + CSS.escape(n) + '"]');
      if (!td) { errs.push("no cell for " + n); continue; }
      checked++;
      if (td.textContent !== states[i][n]) errs.push("step " + i + ": " + n + " shows " + td.textContent);
      const want = i > 0 && states[i - 1][n] !== states[i][n];
      if (want) changed++;
      if (td.classList.contains("changed") !== want) errs.push("step " + i + ": highlight of " + n);
    }
  }
  return errs.length ? "FAIL " + errs.slice(0, 5).join("; ")
                     : "PASS " + (N + 1) + " states, " + checked + " cells, " + changed + " highlighted changes";
}
const hash = location.hash.replace(/^#/, "");
const m = /(?:^|&)step=(\d+)/.exec(hash);
if (/(?:^|&)selftest/.test(hash)) {
  $("selftest").textContent = selftest();
  $("selftest").style.display = "block";
}
go(m ? +m[1] : 0);
</script>
</body></html>
)HTML";

std::string html_escape(const std::string &s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

void replace_all(std::string &s, const std::string &what, const std::string &with) {
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + with.size()))
    s.replace(p, what.size(), with);
}

}  // namespace

std::string trace_html(const Trace &t) {
  // JSON inside <script>: "</" must not close the element.
  std::string data = trace_to_json(t).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  replace_all(data, "</", "<\\/");
  std::string title = t.property.empty() ? config_summary(t.cfg) : t.property + " violated";
  std::string page = kPage;
  replace_all(page, "@TITLE@", html_escape(title));
  size_t at = page.find("@TRACE@");
  page.replace(at, 7, data);
  return page;
}

}  // namespace ctxsw::explore
