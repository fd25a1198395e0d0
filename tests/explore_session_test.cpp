// SPDX-License-Identifier: GPL-2.0-only
//
// The stepping session: scripted commands move along a trace, take chosen
// enabled steps and save a walk that replays; the same through
// `ctxsw explore` with commands on stdin.
#include <gtest/gtest.h>

#include <sstream>

#include "ctxsw/explore/session.h"
#include "ctxsw/model/describe.h"
#include "explore_util.h"

namespace ctxsw {
namespace {

using nlohmann::json;

Config small_config() {
  Config cfg;
  cfg.cpus = 2;
  cfg.mm_names = {"a", "b"};
  cfg.tasks = {{"A", TaskKind::user, 1, true}, {"B", TaskKind::user, 2, true}, {"K", TaskKind::kthread, 0xff, true}};
  cfg.fork_slots = 0;
  cfg.tlb_fills = false;
  EXPECT_EQ(finalize(cfg), "");
  return cfg;
}

std::string field(const explore::Session &s, const std::string &name) {
  for (const Field &f : describe_state(s.trace().cfg, s.current()))
    if (f.name == name) return f.value;
  return "<none>";
}

// Takes the enabled step whose "cpuN token" is `what`, by its number.
bool take(explore::Session &s, const std::string &what, std::ostream &out) {
  auto en = s.enabled();
  for (size_t i = 0; i < en.size(); i++)
    if ("cpu" + std::to_string(en[i].first.cpu) + " " + step_token(s.trace().cfg, en[i].first) == what)
      return s.execute("take " + std::to_string(i + 1), out);
  return false;
}

TEST(ExploreSession, GuidedSimulationBuildsAnInterleaving) {
  explore::Trace t;
  t.cfg = small_config();
  explore::Session s(t);
  std::ostringstream out;
  ASSERT_TRUE(take(s, "cpu0 schedule A", out)) << out.str();
  ASSERT_TRUE(take(s, "cpu0 step cs_mm", out)) << out.str();
  ASSERT_TRUE(take(s, "cpu1 schedule B", out)) << out.str();
  EXPECT_EQ(s.position(), 3u);
  EXPECT_EQ(field(s, "cpu0.curr"), "A");
  EXPECT_EQ(field(s, "cpu1.curr"), "B");
  // Back and forward along the walk.
  EXPECT_TRUE(s.execute("back 2", out));
  EXPECT_EQ(field(s, "cpu1.curr"), "swapper/1");
  EXPECT_EQ(field(s, "cpu0.curr"), "A");
  EXPECT_TRUE(s.execute("goto 3", out));
  EXPECT_EQ(field(s, "cpu1.curr"), "B");
  EXPECT_FALSE(s.execute("next", out));  // the walk ends here
  EXPECT_FALSE(s.execute("goto 9", out));
  EXPECT_FALSE(s.execute("take 99", out));
  // Taking a different step in the middle replaces the rest.
  EXPECT_TRUE(s.execute("goto 1", out));
  ASSERT_TRUE(take(s, "cpu1 schedule K", out));
  EXPECT_EQ(s.trace().labels.size(), 2u);
  EXPECT_EQ(field(s, "cpu1.curr"), "K");
  // Output of the display commands.
  std::ostringstream show, diff, check;
  EXPECT_TRUE(s.execute("show", show));
  EXPECT_NE(show.str().find("mm_count="), std::string::npos) << show.str();
  EXPECT_NE(show.str().find("ttbr0="), std::string::npos);
  EXPECT_NE(show.str().find("asid_generation="), std::string::npos);
  EXPECT_TRUE(s.execute("diff", diff));
  EXPECT_NE(diff.str().find("cpu1.curr = K"), std::string::npos) << diff.str();
  EXPECT_EQ(diff.str().find("cpu0.curr"), std::string::npos) << diff.str();
  EXPECT_TRUE(s.execute("check", check));
  EXPECT_NE(check.str().find("all properties hold"), std::string::npos) << check.str();
  EXPECT_FALSE(s.execute("frobnicate", out));
  EXPECT_TRUE(s.execute("quit", out));
  EXPECT_TRUE(s.done());
}

TEST(ExploreSessionCli, ScriptedSessionSavesATraceThatReplays) {
  std::string d = test::temp_dir("session");
  auto c = test::run(test::bin() + " check --quiet " + test::kMutantConfig + " --trace-out " + d + "/cx.json");
  ASSERT_EQ(c.status, 1) << c.out;
  // Step through the counterexample, leave it at step 3 by taking cpu0's
  // alternative (the enabled list is printed; step 1 of it is the trace's own).
  test::write_file(d + "/script",
                   "steps\nnext\nnext 2\nback\ngoto 3\nshow cpu0\nenabled\ntake 1\nenabled\n"
                   "take 2\ndiff\ncheck\nsave " +
                       d + "/walk.json\nquit\n");
  auto r = test::run(test::bin() + " explore " + d + "/cx.json < " + d + "/script 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("ctxsw> take 2"), std::string::npos) << r.out;  // commands are echoed
  EXPECT_NE(r.out.find("[3/7]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("saved 5 steps"), std::string::npos) << r.out;
  json walk = json::parse(test::read_file(d + "/walk.json"));
  ASSERT_EQ(walk["steps"].size(), 5u);
  json cx = json::parse(test::read_file(d + "/cx.json"));
  EXPECT_EQ(walk["steps"][3]["action"], cx["steps"][3]["action"]);  // "take 1" followed the trace
  EXPECT_NE(walk["steps"][4], cx["steps"][4]);                      // "take 2" left it
  auto rep = test::run(test::bin() + " replay --quiet " + d + "/walk.json 2>&1");
  EXPECT_EQ(rep.status, 0) << rep.out;
  EXPECT_NE(rep.out.find("REPRODUCED"), std::string::npos) << rep.out;

  // A failing command makes a scripted session exit 1.
  auto bad = test::run("echo 'goto 99' | " + test::bin() + " explore " + d + "/cx.json 2>&1");
  EXPECT_EQ(bad.status, 1) << bad.out;
  EXPECT_NE(bad.out.find("error: no step 99"), std::string::npos) << bad.out;
}

TEST(ExploreSessionCli, ExploresTheInitialStateOfAConfiguration) {
  auto r = test::run("printf 'enabled\\n1\\nshow task.A\\n' | " + test::bin() +
                     " explore --cpus 1 --procs 1 --kthreads 1 --fork 0 --no-tlb-fills 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("0 steps"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[1/1] cpu0 __schedule"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace ctxsw
