// SPDX-License-Identifier: GPL-2.0-only
//
// Extraction of the kernel's bodies from a tree at run time. Nothing of the
// kernel is stored in this repository: the default tree is the installed
// Debian linux-source-6.1 tarball, unpacked (three files) into the cache.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "ctxsw/asm/asm.h"

namespace fs = std::filesystem;

namespace ctxsw::asmref {
namespace {

constexpr const char *kDefaultTarball = "/usr/src/linux-source-6.1.tar.xz";
constexpr const char *kEntryS = "arch/arm64/kernel/entry.S";
constexpr const char *kContextC = "arch/arm64/mm/context.c";

std::string read_text(const fs::path &p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Runs argv; returns its exit status (-1 if it could not run).
int run(const std::vector<std::string> &argv) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    std::vector<char *> a;
    for (const auto &s : argv) a.push_back(const_cast<char *>(s.c_str()));
    a.push_back(nullptr);
    execvp(a[0], a.data());
    _exit(127);
  }
  int st = 0;
  if (waitpid(pid, &st, 0) < 0) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// Unpacks the three files the differentials need from a linux-source tarball.
fs::path unpack_tarball(const fs::path &tar, const std::string &cache_dir) {
  struct stat st {};
  if (stat(tar.c_str(), &st) != 0) throw SetupError("no kernel tree: " + tar.string() + " does not exist");
  std::string top = tar.filename().string();
  for (const char *suf : {".tar.xz", ".tar.gz", ".tar.bz2", ".tar"})
    if (top.size() > strlen(suf) && top.ends_with(suf)) {
      top.resize(top.size() - strlen(suf));
      break;
    }
  std::string key = sha256_hex(tar.string() + "|" + std::to_string(st.st_size) + "|" + std::to_string(st.st_mtime));
  fs::path dir = fs::path(cache_dir) / ("tree-" + key.substr(0, 16));
  if (fs::exists(dir / ".complete")) return dir / top;
  fs::create_directories(cache_dir);
  fs::path tmp = fs::path(cache_dir) / ("tree-tmp-" + std::to_string(getpid()));
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  std::vector<std::string> argv = {"tar", "-xf", tar.string(), "-C", tmp.string()};
  for (const char *f : {"Makefile", kEntryS, kContextC}) argv.push_back(top + "/" + f);
  if (run(argv) != 0) {
    fs::remove_all(tmp);
    throw SetupError("cannot unpack " + top + "/{Makefile," + kEntryS + "," + kContextC + "} from " + tar.string() +
                     " (is it a linux-source tarball with arch/arm64?)");
  }
  std::ofstream(tmp / ".complete") << tar.string() << "\n";
  std::error_code ec;
  fs::rename(tmp, dir, ec);  // another process may have won the race: use its copy
  if (ec) fs::remove_all(tmp);
  return dir / top;
}

std::string makefile_version(const fs::path &root) {
  std::string mk = read_text(root / "Makefile");
  auto var = [&](const char *name) {
    std::smatch m;
    std::regex re(std::string("(^|\n)") + name + "[ \t]*=[ \t]*([^\n]*)");
    return std::regex_search(mk, m, re) ? std::string(m[2]) : std::string();
  };
  std::string v = var("VERSION"), p = var("PATCHLEVEL"), s = var("SUBLEVEL"), e = var("EXTRAVERSION");
  if (v.empty()) return "unknown (no VERSION in Makefile)";
  return v + "." + p + (s.empty() ? "" : "." + s) + e;
}

}  // namespace

size_t find_c_function(const std::string &src, const std::string &name, std::string *params, size_t *end) {
  // Kernel style puts a definition's return type and name on one line, from
  // column 0; a definition's parameter list is followed by '{', a
  // prototype's by ';'.
  const std::regex head(R"((^|\n)[A-Za-z_][A-Za-z0-9_ \t*]*[ \t*])" + name + R"(\()");
  for (auto it = std::sregex_iterator(src.begin(), src.end(), head); it != std::sregex_iterator(); ++it) {
    const size_t line = static_cast<size_t>(it->position(0)) + (*it)[1].length();
    const size_t open_paren = static_cast<size_t>(it->position(0) + it->length(0)) - 1;
    const size_t close_paren = src.find(')', open_paren);
    if (close_paren == std::string::npos) break;
    const size_t next = src.find_first_not_of(" \t\n", close_paren + 1);
    if (next == std::string::npos || src[next] != '{') continue;  // a prototype
    int depth = 0;
    for (size_t i = next; i < src.size(); i++) {
      if (src[i] == '{') depth++;
      if (src[i] == '}' && --depth == 0) {
        if (params) *params = src.substr(open_paren + 1, close_paren - open_paren - 1);
        if (end) *end = i + 1;
        return line;
      }
    }
    break;
  }
  return std::string::npos;
}

namespace {

// The text of the definition of the C function `name`, or "".
std::string c_function(const std::string &src, const std::string &name, std::string *params = nullptr) {
  size_t end = 0;
  const size_t at = find_c_function(src, name, params, &end);
  return at == std::string::npos ? std::string() : src.substr(at, end - at);
}

}  // namespace

Extracted extract(const std::string &kernel_src, const std::string &cache_dir) {
  std::string src = kernel_src;
  if (src.empty()) {
    const char *env = std::getenv("KERNEL_SRC");
    src = env && *env ? env : kDefaultTarball;
  }
  fs::path root = src;
  if (!fs::exists(root)) {
    if (src == kDefaultTarball)
      throw SetupError(std::string("no kernel tree: ") + kDefaultTarball +
                       " is missing (install the Debian package linux-source-6.1, or pass --kernel-src DIR)");
    throw SetupError("no kernel tree at " + src);
  }
  if (fs::is_regular_file(root)) root = unpack_tarball(root, cache_dir);
  if (!fs::is_directory(root / "arch" / "arm64"))
    throw SetupError(root.string() + " has no arch/arm64: not an arm64 kernel tree");
  for (const char *f : {kEntryS, kContextC})
    if (!fs::is_regular_file(root / f)) throw SetupError(root.string() + " has no " + f);

  Extracted x;
  x.tree = root.string();
  x.version = fs::exists(root / "Makefile") ? makefile_version(root) : "unknown (no Makefile)";

  // cpu_switch_to: from the line of its start linkage macro to the line of its
  // end macro (SYM_FUNC_START/SYM_FUNC_END; ENTRY/ENDPROC in older trees), and
  // a macro line on it that follows at once (its kprobe blacklisting).
  const std::string fn = "cpu_switch_to";
  auto macro_line = [&](const std::string &macros) {  // "(A|B)": a line invoking A(fn) or B(fn)
    return std::regex(R"((^|\n)[ \t]*)" + macros + R"(\()" + fn + R"(\)[^\n]*\n?)");
  };
  std::string entry = read_text(root / kEntryS);
  std::smatch m;
  if (!std::regex_search(entry, m, macro_line("(SYM_FUNC_START|ENTRY)")))
    throw SetupError(std::string(kEntryS) + ": no start linkage macro (SYM_FUNC_START or ENTRY) for " + fn +
                     ": unknown shape");
  size_t b = static_cast<size_t>(m.position(0)) + m[1].length();
  std::smatch me;
  std::string rest = entry.substr(b);
  if (!std::regex_search(rest, me, macro_line("(SYM_FUNC_END|ENDPROC)")))
    throw SetupError(std::string(kEntryS) + ": " + fn +
                     " has no end linkage macro (SYM_FUNC_END or ENDPROC): unknown shape");
  size_t e = b + static_cast<size_t>(me.position(0)) + me.length(0);
  std::smatch mk;
  const std::string after = entry.substr(e);
  if (std::regex_search(after, mk, macro_line("[A-Z_]+"), std::regex_constants::match_continuous))
    e += static_cast<size_t>(mk.length(0));
  x.switch_body = entry.substr(b, e - b);
  if (!std::regex_search(x.switch_body, std::regex(R"(\n[ \t]*ret\b)")))
    throw SetupError(std::string(kEntryS) + ": " + fn + " body has an unknown shape (no return instruction)");
  x.daif_fix = x.switch_body.find("save_and_disable_daif") != std::string::npos;
  x.scs = x.switch_body.find("scs_save") != std::string::npos;
  x.ptrauth = x.switch_body.find("ptrauth_keys_install_kernel") != std::string::npos;
  x.bodies.push_back({"cpu_switch_to", kEntryS, sha256_hex(x.switch_body)});

  // context.c: compiled whole and unmodified; the functions are hashed one by one
  x.context_c = read_text(root / kContextC);
  if (c_function(x.context_c, "cpu_do_switch_mm").empty())
    throw SetupError(std::string(kContextC) +
                     ": no C cpu_do_switch_mm() (it was assembly in proc.S before 5.8): this tree is not supported");
  std::string casc_params;
  if (c_function(x.context_c, "check_and_switch_context", &casc_params).empty() ||
      casc_params.find(',') != std::string::npos)
    throw SetupError(std::string(kContextC) +
                     ": check_and_switch_context() with the mm as its only parameter not found (pre-5.10 "
                     "signatures are not supported): unknown shape");
  for (const char *name : {"flush_context", "check_update_reserved_asid", "new_context", "check_and_switch_context",
                           "arm64_mm_context_get", "arm64_mm_context_put", "cpu_do_switch_mm"}) {
    std::string body = c_function(x.context_c, name);
    if (body.empty()) throw SetupError(std::string(kContextC) + ": " + name + "() not found: unknown shape");
    x.bodies.push_back({name, kContextC, sha256_hex(body)});
  }
  x.bodies.push_back({"context.c (whole file)", kContextC, sha256_hex(x.context_c)});
  return x;
}

}  // namespace ctxsw::asmref
