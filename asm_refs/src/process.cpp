// SPDX-License-Identifier: GPL-2.0-only
//
// A harness process under qemu-aarch64 with its stdin/stdout on pipes.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "ctxsw/asm/asm.h"

namespace ctxsw::asmref {

namespace {
constexpr int kTimeoutMs = 10000;  // a switch or call that takes this long is a hang
}

Harness::~Harness() { stop(); }

void Harness::start() {
  int in[2], out[2];
  if (pipe(in) != 0 || pipe(out) != 0) throw SetupError("pipe failed");
  signal(SIGPIPE, SIG_IGN);
  pid_t pid = fork();
  if (pid < 0) throw SetupError("fork failed");
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    close(in[0]), close(in[1]), close(out[0]), close(out[1]);
    execlp(qemu_.c_str(), qemu_.c_str(), exe_.c_str(), static_cast<char *>(nullptr));
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  pid_ = pid;
  to_ = in[1];
  from_ = out[0];
  buf_.clear();
}

void Harness::stop() {
  if (pid_ < 0) return;
  close(to_);
  close(from_);
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = to_ = from_ = -1;
}

std::string Harness::request(const std::string &line) {
  if (pid_ < 0) {
    restarts_++;
    start();
  }
  std::string l = line + "\n";
  size_t off = 0;
  while (off < l.size()) {
    ssize_t n = write(to_, l.data() + off, l.size() - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  for (;;) {
    size_t nl = buf_.find('\n');
    if (nl != std::string::npos) {
      std::string r = buf_.substr(0, nl);
      buf_.erase(0, nl + 1);
      if (r.starts_with("X ")) stop();
      return r;
    }
    pollfd p{from_, POLLIN, 0};
    int pr = poll(&p, 1, kTimeoutMs);
    if (pr <= 0) {
      stop();
      return "X timeout (no answer within 10 s: the code under test hangs)";
    }
    char b[4096];
    ssize_t n = read(from_, b, sizeof b);
    if (n <= 0) {
      std::string rest = buf_;
      stop();
      return "X harness exited" + (rest.empty() ? std::string() : ": " + rest);
    }
    buf_.append(b, static_cast<size_t>(n));
  }
}

}  // namespace ctxsw::asmref
