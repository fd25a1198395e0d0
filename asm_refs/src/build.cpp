// SPDX-License-Identifier: GPL-2.0-only
//
// The cross toolchain and the harness builds (into the cache, keyed by the
// hash of everything that goes into them).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>

#include "ctxsw/asm/asm.h"

namespace fs = std::filesystem;

namespace ctxsw::asmref {
namespace {

std::string env_or(const char *name, const char *dflt) {
  const char *v = std::getenv(name);
  return v && *v ? v : dflt;
}

// Runs argv with stdout+stderr captured; returns the exit status (-1: not run).
int run_capture(const std::vector<std::string> &argv, std::string &output) {
  int p[2];
  if (pipe(p) != 0) return -1;
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    dup2(p[1], 1);
    dup2(p[1], 2);
    close(p[0]);
    close(p[1]);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    std::vector<char *> a;
    for (const auto &s : argv) a.push_back(const_cast<char *>(s.c_str()));
    a.push_back(nullptr);
    execvp(a[0], a.data());
    _exit(127);
  }
  close(p[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(p[0], buf, sizeof buf)) > 0) output.append(buf, static_cast<size_t>(n));
  close(p[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

std::string read_text(const fs::path &p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void write_text(const fs::path &p, const std::string &s) {
  std::ofstream f(p, std::ios::binary);
  f << s;
}

fs::path target_dir() { return env_or("CTXSW_ASM_TARGET", CTXSW_ASM_TARGET_DIR); }

// Hash of the harness sources (so that an edited harness is rebuilt).
std::string sources_hash() {
  std::string all;
  for (const auto &e : fs::recursive_directory_iterator(target_dir()))
    if (e.is_regular_file()) all += e.path().string() + "\n" + read_text(e.path());
  return all;
}

std::string build(const std::string &what, const Toolchain &tc, const std::string &cache_dir,
                  const std::vector<std::pair<std::string, std::string>> &gen_files, std::vector<std::string> flags,
                  const std::vector<std::string> &sources, const std::string &failure_hint,
                  const std::function<void(const fs::path &)> &prebuild = {}) {
  std::string key = what + "|" + tc.cc;
  for (auto &[n, t] : gen_files) key += "|" + n + "|" + t;
  for (auto &f : flags) key += "|" + f;
  key = sha256_hex(key + sources_hash()).substr(0, 16);
  fs::path dir = fs::path(cache_dir) / ("build-" + what + "-" + key);
  fs::path exe = dir / what;
  if (fs::exists(exe)) return exe.string();
  // Generated sources and the binary are made in a directory of this
  // build's own (ctest runs several asm tests at once, and two processes
  // writing and appending to one ctx_wrap.s made it define a symbol twice);
  // only the finished binary is renamed into place, atomically.
  static std::atomic<unsigned> builds{0};  // and of this thread's
  fs::path work = dir / ("work." + std::to_string(getpid()) + "." + std::to_string(builds++));
  fs::remove_all(work);
  fs::create_directories(work);
  for (auto &[n, t] : gen_files) write_text(work / n, t);
  if (prebuild) prebuild(work);
  std::vector<std::string> argv = {tc.cc, "-static", "-Wall", "-I", target_dir().string(), "-I", work.string()};
  argv.insert(argv.end(), flags.begin(), flags.end());
  for (const auto &s : sources)
    argv.push_back(s.starts_with("BUILD/") ? (work / s.substr(6)).string() : (target_dir() / s).string());
  argv.push_back("-o");
  argv.push_back((work / what).string());
  std::string out;
  if (run_capture(argv, out) != 0) {
    fs::remove_all(work);
    throw SetupError(failure_hint + ":\n" + out);
  }
  fs::rename(work / what, exe);  // another process's identical binary may be replaced: same bytes
  fs::remove_all(work);
  return exe.string();
}

}  // namespace

std::string default_cache_dir() { return env_or("CTXSW_ASM_CACHE", CTXSW_ASM_CACHE_DIR); }

Toolchain find_toolchain() {
  Toolchain tc{env_or("CTXSW_CROSS_CC", "aarch64-linux-gnu-gcc"), env_or("CTXSW_QEMU", "qemu-aarch64")};
  std::string out;
  if (run_capture({tc.cc, "--version"}, out) != 0)
    throw SetupError("no AArch64 cross compiler (" + tc.cc +
                     "): install the Debian packages gcc-aarch64-linux-gnu libc6-dev-arm64-cross "
                     "(scripts/setup.sh), or set CTXSW_CROSS_CC");
  out.clear();
  if (run_capture({tc.qemu, "--version"}, out) != 0)
    throw SetupError("no qemu user-mode emulator (" + tc.qemu +
                     "): install the Debian package qemu-user (scripts/setup.sh), or set CTXSW_QEMU");
  return tc;
}

std::string build_switch_harness(const Extracted &x, const Toolchain &tc, const std::string &cache_dir) {
  std::vector<std::string> flags = {"-O2"};
  if (x.ptrauth) flags.push_back("-DCTXSW_PTRAUTH");
  if (x.scs) flags.push_back("-DCTXSW_SCS");
  return build("switch", tc, cache_dir, {{"cpu_switch_to.body.S", x.switch_body}}, flags,
               {"switch_main.c", "trap.c", "switch_glue.S"},
               "the extracted cpu_switch_to does not assemble in the harness (unknown shape)");
}

std::string build_ctx_harness(const Extracted &x, const Toolchain &tc, const std::string &cache_dir) {
  // context.c is compiled whole and unmodified against the shim
  // (target/shim/include). -O0 keeps the function-static cur_idx of
  // new_context() as a symbol (cur_idx.N) even when nothing writes it; its
  // address is appended to the assembly as ctxsw_cur_idx_ptr (0 if absent).
  std::string shim = (target_dir() / "shim" / "include").string();
  const std::string hint = "arch/arm64/mm/context.c does not compile against the shim (unknown shape)";
  auto prebuild = [&](const fs::path &dir) {
    std::string out;
    if (run_capture({tc.cc, "-S", "-O0", "-fno-strict-aliasing", "-I", target_dir().string(), "-I", dir.string(), "-I",
                     shim, (target_dir() / "ctx_wrap.c").string(), "-o", (dir / "ctx_wrap.s").string()},
                    out) != 0)
      throw SetupError(hint + ":\n" + out);
    std::string s = read_text(dir / "ctx_wrap.s");
    std::smatch m;
    std::string sym = "0";
    if (std::regex_search(s, m, std::regex(R"((^|\n)(cur_idx\.[0-9]+):)"))) sym = m[2];
    s += "\n\t.data\n\t.balign 8\n\t.globl ctxsw_cur_idx_ptr\nctxsw_cur_idx_ptr:\n\t.quad " + sym + "\n";
    write_text(dir / "ctx_wrap.s", s);
  };
  return build("context", tc, cache_dir, {{"context.c", x.context_c}}, {"-O0", "-I", shim},
               {"ctx_main.c", "ctx_coro.c", "trap.c", "BUILD/ctx_wrap.s"}, hint, prebuild);
}

}  // namespace ctxsw::asmref
