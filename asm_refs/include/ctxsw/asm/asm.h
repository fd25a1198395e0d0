// SPDX-License-Identifier: GPL-2.0-only
//
// The real AArch64 code under qemu-aarch64, checked against the model
// (issue 5, docs/asm_refs.md): extraction of the kernel's bodies, the
// cross-compiled harnesses, the differentials and `ctxsw asm`.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "ctxsw/model/model.h"

namespace ctxsw::asmref {

// A missing toolchain or an unusable kernel tree: `ctxsw asm` exits 2.
struct SetupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Body {
  std::string name;    // "cpu_switch_to", "check_and_switch_context", ...
  std::string file;    // path inside the kernel tree
  std::string sha256;  // of the body's text as extracted
};

struct Extracted {
  std::string tree;         // directory the files were read from
  std::string version;      // "6.1.192" from the tree's Makefile
  std::string switch_body;  // cpu_switch_to, SYM_FUNC_START .. NOKPROBE
  std::string context_c;    // arch/arm64/mm/context.c, whole and unmodified
  std::vector<Body> bodies;
  bool daif_fix = false;  // cpu_switch_to masks DAIF around msr sp_el0
  bool scs = false;       // scs_save/scs_load_current present
  bool ptrauth = false;   // ptrauth_keys_install_kernel present
};

// The kernel tree: `kernel_src` (a directory, or a linux-source tarball), else
// $KERNEL_SRC, else /usr/src/linux-source-6.1.tar.xz (extracted once into the
// cache). Throws SetupError with what is missing.
Extracted extract(const std::string &kernel_src, const std::string &cache_dir);

// Where the definition of the C function `name` starts in `src` (the start
// of the line with its return type and name, as kernel style writes it), or
// std::string::npos; *params (if given) receives its parameter list, *end the
// offset just past its closing brace.
size_t find_c_function(const std::string &src, const std::string &name, std::string *params = nullptr,
                       size_t *end = nullptr);

struct Toolchain {
  std::string cc;    // $CTXSW_CROSS_CC or aarch64-linux-gnu-gcc
  std::string qemu;  // $CTXSW_QEMU or qemu-aarch64
};
Toolchain find_toolchain();  // throws SetupError naming the Debian packages

// Cross-compiles the harnesses into the cache (reused when inputs are equal).
std::string build_switch_harness(const Extracted &x, const Toolchain &tc, const std::string &cache_dir);
std::string build_ctx_harness(const Extracted &x, const Toolchain &tc, const std::string &cache_dir);
std::string default_cache_dir();

// One harness process under qemu, spoken to line by line.
class Harness {
 public:
  Harness(std::string qemu, std::string exe) : qemu_(std::move(qemu)), exe_(std::move(exe)) {}
  ~Harness();
  Harness(const Harness &) = delete;
  Harness &operator=(const Harness &) = delete;
  // Sends one command line, returns the reply line ("X ..." if the process
  // died or did not answer within the timeout; it is restarted on next use).
  std::string request(const std::string &line);
  uint64_t restarts() const { return restarts_; }

 private:
  void start();
  void stop();
  std::string qemu_, exe_;
  int pid_ = -1, to_ = -1, from_ = -1;
  std::string buf_;
  uint64_t restarts_ = 0;
};

// A schedule: model steps. Replay is lenient (steps not enabled are skipped)
// so that any subsequence of a schedule is a schedule (shrinking).
// context_seq: a CPU inside context.c runs alone until it returns;
// context_interleaved: any enabled step, CPUs interleave inside context.c.
enum class Mode { switch_to, context_seq, context_interleaved };
struct Trace {
  std::vector<Step> steps;
  std::vector<State> states;  // states.size() == steps.size() + 1
};
Trace replay(const Model &m, const std::vector<Step> &steps, Mode mode);
// A schedule chosen by `choices` (each picks one enabled step, modulo their number).
Trace walk(const Model &m, const std::vector<uint32_t> &choices, Mode mode);
// Interleaved schedules: each choice first picks the CPU that proceeds (low
// byte, among the CPUs with an enabled step), then one of its steps; a CPU
// that stops between two lock-free accesses of check_and_switch_context() may
// be parked there while the others run (until a random release), so that
// races such as a rollover inside another CPU's fast path are reached.
Trace walk_cpus(const Model &m, const std::vector<uint32_t> &choices);

struct Mismatch {
  size_t step = 0;    // index into Trace::steps of the step compared
  std::string field;  // first differing field
  std::string model, real;
  std::string what;  // one line: the call / switch compared
};

struct Counters {
  uint64_t schedules = 0, switches = 0, calls = 0;
  uint64_t yields = 0;       // yield points of the real code checked against model steps
  uint64_t interleaved = 0;  // schedules in which two CPUs were inside context.c at once
  // schedules in which a rollover step (the generation increment or a
  // flush_context() xchg) ran while another CPU was between its read of
  // active_asids and its cmpxchg (the race of check_and_switch_context()'s comment)
  uint64_t fastpath_races = 0;
};

// Runs the real cpu_switch_to on the trace's switches; the first difference.
std::optional<Mismatch> check_switch(Harness &h, const Model &m, const Extracted &x, const Trace &t, uint64_t seed,
                                     Counters &n);
// Runs the real context.c on the trace's allocator calls; the first difference.
std::optional<Mismatch> check_context(Harness &h, const Model &m, const Trace &t, Counters &n);

// Runs the real context.c with one coroutine per emulated CPU, each resumed
// to its next yield point (shared access) when the model steps that CPU: the
// access kind and word must be the ones the model step performs
// (yield_map.cpp), and after every step the whole state is compared.
std::optional<Mismatch> check_context_interleaved(Harness &h, const Model &m, const Trace &t, Counters &n);

// Removes steps while `fails` still holds; returns the shortest failing trace found.
Trace shrink(const Model &m, Mode mode, Trace t, const std::function<bool(const Trace &)> &fails, int budget = 3000);

// The configuration without CPU k (its idle thread removed), and a schedule
// renumbered for it (steps of CPU k and picks of its idle thread dropped).
Config drop_cpu(const Config &cfg, int k);
std::vector<Step> drop_cpu(const std::vector<Step> &steps, int k);

// Shrinks an interleaved schedule: removes whole CPUs (from the schedule and
// the configuration, or only their steps) and single steps / chunks while
// `fails` holds. Returns the configuration and trace reached.
struct Shrunk {
  Config cfg;
  Trace trace;
  int attempts = 0;
};
Shrunk shrink_schedule(const Config &cfg, Mode mode, Trace t,
                       const std::function<bool(const Model &, const Trace &)> &fails, int budget = 2000);

// The fixed rollover-race scenarios (examples/*rollover*.scn), with the
// kernel's generation numbers (renumbering off). Throws SetupError when the
// examples cannot be read or a step does not replay.
struct ScenarioSchedule {
  std::string name;
  Config cfg;
  Trace trace;
};
std::vector<ScenarioSchedule> rollover_scenarios(const std::string &examples_dir = "");

// Model configurations the differentials use.
Config switch_config();
std::vector<Config> context_configs();

struct AsmOptions {
  std::string kernel_src;
  int runs = 200;
  uint64_t seed = 1;
  int steps = 200;  // model steps per schedule
  bool only_switch = false, only_context = false;
};
// `ctxsw asm`: 0 agreement, 1 mismatch, 2 setup error.
int run_asm(const AsmOptions &o, std::ostream &out, std::ostream &err);

std::string sha256_hex(const std::string &data);

}  // namespace ctxsw::asmref
