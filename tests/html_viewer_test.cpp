// SPDX-License-Identifier: GPL-2.0-only
//
// The HTML viewer in headless Chromium: the page written by --html opens
// without network access, shows one lane per CPU and the state table, its
// embedded self-test steps through every state (slider → table), and
// opening it at "#step=N" shows the state after step N.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "explore_util.h"

namespace ctxsw {
namespace {

using nlohmann::json;

std::string chromium() {
  for (const char *c : {"chromium", "chromium-browser", "google-chrome"})
    if (test::run(std::string("command -v ") + c + " >/dev/null 2>&1").status == 0) return c;
  return "";
}

// Loads the page headless and returns the DOM after its scripts ran (or
// takes a screenshot when `screenshot` is set).
test::Run browse(const std::string &url, const std::string &dir, const std::string &screenshot = "") {
  std::string profile = dir + "/profile-" + std::to_string(std::hash<std::string>{}(url + screenshot));
  std::string cmd =
      "timeout 120 " + chromium() +
      " --headless --no-sandbox --disable-gpu --disable-background-networking "
      "--disable-component-update --disable-sync --no-first-run --hide-scrollbars "
      "--user-data-dir=" +
      profile + " --window-size=1400,1000 " +
      (screenshot.empty() ? "--dump-dom '" + url + "'" : "--screenshot=" + screenshot + " '" + url + "'") +
      " 2>/dev/null";
  return test::run(cmd);
}

// The text of the table cell of field `name` in a DOM dump.
std::string cell(const std::string &dom, const std::string &name) {
  std::string key = "data-field=\"" + name + "\"";
  size_t at = dom.find(key);
  if (at == std::string::npos) return "<no cell>";
  size_t gt = dom.find('>', at), end = dom.find("</td>", gt);
  return dom.substr(gt + 1, end - gt - 1);
}

class HtmlViewer : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(chromium(), "") << "headless Chromium is needed (Debian package chromium, scripts/setup.sh)";
    dir_ = test::temp_dir("html");
    auto c = test::run(test::bin() + " check --quiet " + test::kMutantConfig + " --trace-out " + dir_ +
                       "/cx.json --html " + dir_ + "/cx.html");
    ASSERT_EQ(c.status, 1) << c.out;
    trace_ = json::parse(test::read_file(dir_ + "/cx.json"));
    url_ = "file://" + dir_ + "/cx.html";
  }
  std::string dir_, url_;
  json trace_;
};

TEST_F(HtmlViewer, SelfContained) {
  std::string html = test::read_file(dir_ + "/cx.html");
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);  // no external scripts or images
}

TEST_F(HtmlViewer, SteppingUpdatesTheStateShown) {
  auto st = browse(url_ + "#selftest", dir_);
  ASSERT_EQ(st.status, 0);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(st.out, m, std::regex("<pre id=\"selftest\"[^>]*>([^<]*)</pre>")))
      << st.out.substr(0, 2000);
  EXPECT_EQ(m[1].str().rfind("PASS", 0), 0u) << m[1].str();

  // Open at the initial state and at the last step: the cells show the trace's values.
  size_t n = trace_["steps"].size();
  auto first = browse(url_ + "#step=0", dir_);
  auto last = browse(url_ + "#step=" + std::to_string(n), dir_);
  const json &s0 = trace_["initial_state"], &sn = trace_["steps"][n - 1]["state"];
  int differing = 0;
  for (auto it = sn.begin(); it != sn.end(); ++it) {
    EXPECT_EQ(cell(last.out, it.key()), it.value().get<std::string>()) << it.key();
    EXPECT_EQ(cell(first.out, it.key()), s0[it.key()].get<std::string>()) << it.key();
    differing += s0[it.key()] != it.value();
  }
  EXPECT_GT(differing, 0);
  EXPECT_NE(last.out.find("data-step=\"" + std::to_string(n) + "\""), std::string::npos);
  // The fields the last step changed are highlighted.
  const json &prev = trace_["steps"][n - 2]["state"];
  for (auto it = sn.begin(); it != sn.end(); ++it) {
    if (prev[it.key()] == it.value()) continue;
    std::regex changed("<td data-field=\"" + it.key() + "\" class=\"changed\">");
    EXPECT_TRUE(std::regex_search(last.out, changed)) << it.key();
  }
  // One lane per CPU and the violated property named.
  EXPECT_NE(last.out.find("data-cpu=\"0\""), std::string::npos);
  EXPECT_NE(last.out.find("<b>switch.last_is_previous</b> violated"), std::string::npos);
}

TEST_F(HtmlViewer, Screenshot) {
  std::string png = dir_ + "/cx.png";
  browse(url_ + "#step=3", dir_, png);
  std::string data = test::read_file(png);
  ASSERT_GT(data.size(), 10000u) << "no screenshot at " << png;
  EXPECT_EQ(data.substr(1, 3), "PNG");
}

}  // namespace
}  // namespace ctxsw
