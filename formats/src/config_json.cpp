// SPDX-License-Identifier: GPL-2.0-only
#include "ctxsw/formats/config_json.h"

#include <climits>
#include <cstdint>

#include "ctxsw/model/limits.h"

namespace ctxsw {

using nlohmann::json;

static std::string kind_name(TaskKind k) {
  return k == TaskKind::user ? "user" : k == TaskKind::kthread ? "kthread" : "idle";
}

json config_to_json(const Config &cfg) {
  json tasks = json::array();
  for (const TaskSpec &t : cfg.tasks) {
    if (t.kind == TaskKind::idle || !t.born) continue;  // implicit
    json jt = {{"name", t.name}, {"kind", kind_name(t.kind)}};
    if (t.kind == TaskKind::user) jt["mm"] = cfg.mm_name(t.mm);
    tasks.push_back(jt);
  }
  json mms = json::array();
  for (int m = 1; m < cfg.nr_mms() - cfg.fork_slots; m++) mms.push_back(cfg.mm_name(m));
  json j = {{"cpus", cfg.cpus},
            {"asid_bits", cfg.asid_bits},
            {"mms", mms},
            {"tasks", tasks},
            {"fork_slots", cfg.fork_slots},
            {"exit", cfg.exit},
            {"kthread_use_mm", cfg.kthread_use_mm},
            {"tlb_fills", cfg.tlb_fills},
            {"pinned", cfg.pinned},
            {"kpti", cfg.kpti},
            {"cnp", cfg.cnp},
            {"allow_unsafe_config", cfg.allow_unsafe},
            {"mutant", std::string(mutant_info(cfg.mutant).name)}};
  // Only when off (check --no-renumber), so that other traces read as before.
  if (!cfg.renumber_generations) j["renumber_generations"] = false;
  return j;
}

std::string config_from_json(const json &j, Config &out) {
  if (!j.is_object()) return "configuration: expected a JSON object";
  Config cfg;
  cfg.mm_names.clear();
  cfg.tasks.clear();
  auto need = [&](const char *key, json::value_t type) -> std::string {
    if (!j.contains(key)) return std::string("configuration: missing field '") + key + "'";
    if (j[key].type() != type && !(type == json::value_t::number_integer && j[key].is_number_unsigned()))
      return std::string("configuration: field '") + key + "' has the wrong type";
    return "";
  };
  for (auto [key, type] : {std::pair{"cpus", json::value_t::number_integer},
                           {"asid_bits", json::value_t::number_integer},
                           {"mms", json::value_t::array},
                           {"tasks", json::value_t::array},
                           {"fork_slots", json::value_t::number_integer}})
    if (auto e = need(key, type); !e.empty()) return e;
  // In int range (get<int> would wrap 4294967297 to 1), and fork slots
  // bounded before finalize() allocates one task and one mm per slot.
  for (auto [key, dst] : {std::pair<const char *, int *>{"cpus", &cfg.cpus},
                          {"asid_bits", &cfg.asid_bits},
                          {"fork_slots", &cfg.fork_slots}}) {
    const json &v = j[key];
    if (v.is_number_unsigned() ? v.get<uint64_t>() > INT_MAX : v.get<int64_t>() < INT_MIN || v.get<int64_t>() > INT_MAX)
      return std::string("configuration: field '") + key + "' is out of range";
    *dst = v.get<int>();
  }
  if (cfg.fork_slots > kMaxTasks)
    return "configuration: fork_slots " + std::to_string(cfg.fork_slots) + ": the model holds at most " +
           std::to_string(kMaxTasks) + " tasks";
  for (const json &m : j["mms"]) {
    if (!m.is_string()) return "configuration: mms must be names";
    cfg.mm_names.push_back(m.get<std::string>());
  }
  for (const json &t : j["tasks"]) {
    if (!t.is_object() || !t.contains("name") || !t.contains("kind") || !t["name"].is_string() ||
        !t["kind"].is_string())
      return "configuration: each task needs a name and a kind";
    TaskSpec spec;
    spec.name = t["name"].get<std::string>();
    std::string kind = t["kind"].get<std::string>();
    if (kind == "user") {
      spec.kind = TaskKind::user;
      if (!t.contains("mm") || !t["mm"].is_string()) return "configuration: user task " + spec.name + " needs an mm";
      std::string mm = t["mm"].get<std::string>();
      spec.mm = 0xff;
      for (size_t i = 0; i < cfg.mm_names.size(); i++)
        if (cfg.mm_names[i] == mm) spec.mm = static_cast<uint8_t>(i + 1);
      if (spec.mm == 0xff) return "configuration: task " + spec.name + " uses unknown mm '" + mm + "'";
    } else if (kind == "kthread") {
      spec.kind = TaskKind::kthread;
    } else {
      return "configuration: task " + spec.name + " has unknown kind '" + kind + "'";
    }
    cfg.tasks.push_back(spec);
  }
  auto flag = [&](const char *key, bool &dst) -> std::string {
    if (!j.contains(key)) return "";
    if (!j[key].is_boolean()) return std::string("configuration: field '") + key + "' must be true or false";
    dst = j[key].get<bool>();
    return "";
  };
  for (auto [key, dst] : {std::pair<const char *, bool *>{"exit", &cfg.exit},
                          {"kthread_use_mm", &cfg.kthread_use_mm},
                          {"tlb_fills", &cfg.tlb_fills},
                          {"pinned", &cfg.pinned},
                          {"kpti", &cfg.kpti},
                          {"cnp", &cfg.cnp},
                          {"allow_unsafe_config", &cfg.allow_unsafe},
                          {"renumber_generations", &cfg.renumber_generations}})
    if (auto e = flag(key, *dst); !e.empty()) return e;
  if (j.contains("mutant")) {
    if (!j["mutant"].is_string()) return "configuration: field 'mutant' must be a name";
    auto m = mutant_by_name(j["mutant"].get<std::string>());
    if (!m) return "configuration: unknown mutant '" + j["mutant"].get<std::string>() + "'";
    cfg.mutant = *m;
  }
  if (auto e = finalize(cfg); !e.empty()) return "configuration: " + e;
  out = std::move(cfg);
  return "";
}

std::string config_summary(const Config &cfg) {
  std::string s = std::to_string(cfg.cpus) + (cfg.cpus == 1 ? " CPU" : " CPUs") + ", asid_bits " +
                  std::to_string(cfg.asid_bits) + ", tasks";
  for (const TaskSpec &t : cfg.tasks) {
    if (t.kind == TaskKind::idle || !t.born) continue;
    s += " " + t.name + "(" + (t.kind == TaskKind::user ? "user " + cfg.mm_name(t.mm) : "kthread") + ")";
  }
  s += ", fork " + std::to_string(cfg.fork_slots);
  if (cfg.exit) s += ", exit";
  if (cfg.kthread_use_mm) s += ", kthread_use_mm";
  if (cfg.pinned) s += ", pinned ASIDs (max " + std::to_string(cfg.max_pinned_asids()) + ")";
  if (cfg.kpti) s += ", KPTI";
  if (cfg.cnp) s += ", CnP";
  if (!cfg.tlb_fills) s += ", no TLB fills";
  if (!cfg.renumber_generations) s += ", kernel generation numbers";
  if (cfg.allow_unsafe) s += ", unsafe config allowed";
  if (cfg.mutant != Mutant::none) s += ", mutant " + std::string(mutant_info(cfg.mutant).name);
  return s;
}

}  // namespace ctxsw
