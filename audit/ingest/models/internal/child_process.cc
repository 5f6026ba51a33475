#include "audit/ingest/models/internal/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

extern char** environ;  // NOLINT: POSIX

namespace probity::models::internal {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kStderrKeptBytes = size_t{64} << 10;
constexpr size_t kReadBytes = size_t{64} << 10;
// After the child closes stdout, how long to wait for the rest of its stderr and its exit.
constexpr int64_t kExitGraceMs = 2000;

// Blocks SIGPIPE in this thread while alive, so a write to a pipe whose reader has gone
// fails with EPIPE instead of killing the process; a SIGPIPE raised meanwhile is consumed
// before the old mask returns (unless one was already pending before).
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_set_);
    sigaddset(&pipe_set_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set_, &old_mask_);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  ~SigpipeGuard() {
    if (raised_ && !was_pending_) {
      const timespec zero{0, 0};
      while (sigtimedwait(&pipe_set_, nullptr, &zero) == -1 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;
  void Raised() { raised_ = true; }

 private:
  sigset_t pipe_set_;
  sigset_t old_mask_;
  bool was_pending_ = false;
  bool raised_ = false;
};

int64_t MillisecondsUntil(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return std::max<int64_t>(0, left.count());
}

std::string SignalName(int sig) {
  const char* name = strsignal(sig);
  return std::to_string(sig) + (name != nullptr ? " (" + std::string(name) + ")" : "");
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) {
    const int code = WEXITSTATUS(status);
    std::string text = "exited with status " + std::to_string(code);
    // The shell running the command reports a command killed by signal N as 128 + N.
    if (code > 128 && code <= 128 + SIGRTMAX) {
      text += ", the shell's report of signal " + SignalName(code - 128);
    }
    return text;
  }
  if (WIFSIGNALED(status)) return "was killed by signal " + SignalName(WTERMSIG(status));
  return "stopped with wait status " + std::to_string(status);
}

// Environment entries: the parent's, with `additions` replacing or adding NAME=VALUE.
std::vector<std::string> ChildEnvironment(const std::vector<std::string>& additions) {
  std::vector<std::string> entries;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) entries.emplace_back(*e);
  for (const std::string& add : additions) {
    const std::string_view name = std::string_view(add).substr(0, add.find('=') + 1);
    std::erase_if(entries, [&](const std::string& e) { return e.starts_with(name); });
    entries.push_back(add);
  }
  return entries;
}

}  // namespace

void ChildProcess::CloseFd(int* fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

Result<std::unique_ptr<ChildProcess>> ChildProcess::Start(
    const std::string& command, const std::vector<std::string>& environment,
    int64_t shutdown_grace_ms) {
  int in[2] = {-1, -1};
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  auto close_all = [&] {
    for (int* fd : {&in[0], &in[1], &out[0], &out[1], &err[0], &err[1]}) CloseFd(fd);
  };
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    const int error = errno;
    close_all();
    return FailedPreconditionError("cannot create pipes for external model \"" + command +
                                   "\": " + std::strerror(error));
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Its own process group, so a timeout kills the command's children too; default signal
  // handling for SIGPIPE and an empty mask, whatever Probity's own are.
  posix_spawnattr_setflags(&attributes,
                           static_cast<short>(POSIX_SPAWN_SETPGROUP |  // NOLINT
                                              POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
  posix_spawnattr_setpgroup(&attributes, 0);
  sigset_t signals;
  sigemptyset(&signals);
  posix_spawnattr_setsigmask(&attributes, &signals);
  sigaddset(&signals, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes, &signals);

  std::vector<std::string> env = ChildEnvironment(environment);
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string shell = "/bin/sh";
  std::string flag = "-c";
  std::string command_copy = command;
  char* argv[] = {shell.data(), flag.data(), command_copy.data(), nullptr};

  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, shell.c_str(), &actions, &attributes, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  CloseFd(&in[0]);
  CloseFd(&out[1]);
  CloseFd(&err[1]);
  if (spawned != 0) {
    close_all();
    return FailedPreconditionError("cannot start external model \"" + command +
                                   "\" with /bin/sh: " + std::strerror(spawned));
  }
  auto child = std::unique_ptr<ChildProcess>(new ChildProcess());
  child->pid_ = pid;
  child->stdin_fd_ = in[1];
  child->stdout_fd_ = out[0];
  child->stderr_fd_ = err[0];
  child->shutdown_grace_ms_ = shutdown_grace_ms;
  for (int fd : {in[1], out[0], err[0]}) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return child;
}

ChildProcess::~ChildProcess() {
  CloseFd(&stdin_fd_);
  CloseFd(&stdout_fd_);
  CloseFd(&stderr_fd_);
  WaitAndReap(shutdown_grace_ms_);
}

void ChildProcess::Kill() {
  if (!reaped_ && pid_ > 0) kill(-pid_, SIGKILL);
  WaitAndReap(0);
}

void ChildProcess::WaitAndReap(int64_t timeout_ms) {
  if (reaped_ || pid_ <= 0) return;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  siginfo_t info;
  auto exited = [&] {
    // WNOWAIT: the zombie keeps the process group id reserved until the group is killed.
    std::memset(&info, 0, sizeof info);
    return waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           info.si_pid == pid_;
  };
  auto pause = std::chrono::microseconds(200);
  while (!exited() && Clock::now() < deadline) {
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(20));
  }
  kill(-pid_, SIGKILL);  // the command's leftover children, or the command itself
  int status = 0;
  while (waitpid(pid_, &status, 0) == -1 && errno == EINTR) {
  }
  reaped_ = true;
  exit_description_ = DescribeWaitStatus(status);
}

void ChildProcess::ReadStderr() {
  char buffer[kReadBytes];
  while (stderr_fd_ >= 0) {
    const ssize_t n = read(stderr_fd_, buffer, sizeof buffer);
    if (n > 0) {
      stderr_.append(buffer, static_cast<size_t>(n));
      if (stderr_.size() > 2 * kStderrKeptBytes) {
        stderr_.erase(0, stderr_.size() - kStderrKeptBytes);
        stderr_cut_ = true;
      }
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
      CloseFd(&stderr_fd_);
    } else if (errno == EAGAIN) {
      return;
    }
  }
}

void ChildProcess::DrainStderr(int64_t timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (stderr_fd_ >= 0) {
    pollfd fd{stderr_fd_, POLLIN, 0};
    const int ready = poll(&fd, 1, static_cast<int>(MillisecondsUntil(deadline)));
    if (ready == 0) return;
    if (ready < 0 && errno != EINTR) return;
    ReadStderr();
  }
}

std::string ChildProcess::stderr_tail() const {
  std::string_view tail = stderr_;
  bool cut = stderr_cut_;
  if (tail.size() > kStderrKeptBytes) {
    tail.remove_prefix(tail.size() - kStderrKeptBytes);
    cut = true;
  }
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.remove_suffix(1);
  return (cut ? "…" : "") + std::string(tail);
}

ExchangeResult ChildProcess::Exchange(std::string_view request, std::string* output,
                                      const Consume& consume, int64_t timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  SigpipeGuard sigpipe_guard;
  size_t written = 0;
  bool complete = false;
  char buffer[kReadBytes];
  while (true) {
    const bool writing = written < request.size() && stdin_fd_ >= 0;
    if (complete && !writing) return {};
    if (stdout_fd_ < 0) {
      DrainStderr(kExitGraceMs);
      WaitAndReap(kExitGraceMs);
      return {ExchangeEnd::kStoppedOutput, {}};
    }
    const int64_t left_ms = MillisecondsUntil(deadline);
    if (left_ms == 0) {
      Kill();
      DrainStderr(100);
      return {ExchangeEnd::kTimedOut, {}};
    }
    pollfd fds[3];
    nfds_t count = 0;
    int stdin_slot = -1;
    int stderr_slot = -1;
    const int stdout_slot = static_cast<int>(count);
    fds[count++] = {stdout_fd_, POLLIN, 0};
    if (writing) {
      stdin_slot = static_cast<int>(count);
      fds[count++] = {stdin_fd_, POLLOUT, 0};
    }
    if (stderr_fd_ >= 0) {
      stderr_slot = static_cast<int>(count);
      fds[count++] = {stderr_fd_, POLLIN, 0};
    }
    const int ready = poll(fds, count, static_cast<int>(std::min<int64_t>(left_ms, 1 << 30)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      Kill();
      return {ExchangeEnd::kFailed,
              FailedPreconditionError(std::string("poll() failed: ") + std::strerror(errno))};
    }
    if (ready == 0) continue;
    if (stdin_slot >= 0 && fds[stdin_slot].revents != 0) {
      const size_t chunk = std::min(request.size() - written, kReadBytes);
      const ssize_t n = write(stdin_fd_, request.data() + written, chunk);
      if (n > 0) {
        written += static_cast<size_t>(n);
      } else if (n < 0 && errno == EPIPE) {
        // The child stopped reading; what it says on stdout, or its exit, tells why.
        sigpipe_guard.Raised();
        CloseFd(&stdin_fd_);
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        CloseFd(&stdin_fd_);
      }
    }
    if (stderr_slot >= 0 && fds[stderr_slot].revents != 0) ReadStderr();
    if (fds[stdout_slot].revents != 0) {
      const ssize_t n = read(stdout_fd_, buffer, sizeof buffer);
      if (n > 0) {
        output->append(buffer, static_cast<size_t>(n));
        Result<bool> done = consume(output);
        if (!done.has_value()) return {ExchangeEnd::kFailed, std::move(done).error()};
        complete = *done;
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        CloseFd(&stdout_fd_);
      }
    }
  }
}

}  // namespace probity::models::internal
