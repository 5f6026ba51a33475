// A child process running `/bin/sh -c <command>` in its own process group, with pipes to
// its stdin, stdout and stderr. Its one operation, Exchange, writes a request to the child
// while reading its answer, polling both directions so that a child that writes before it
// has read everything cannot deadlock us, under a deadline, and without SIGPIPE: a child
// that dies mid-request gives an error, never a signal that kills Probity. The tail of the
// child's stderr is kept for error messages. Used by the external model adapter.
//
//   PROBITY_ASSIGN_OR_RETURN(auto child, ChildProcess::Start("python3 m.py", {}));
//   std::string out;
//   ExchangeResult result = child->Exchange(request, &out, consume, /*timeout_ms=*/1000);
//   if (result.end == ExchangeEnd::kTimedOut) Report(child->stderr_tail());
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "audit/core/result.h"

namespace probity::models::internal {

// How an Exchange ended.
enum class ExchangeEnd {
  kDone,           // the request was written and `consume` said the answer is complete
  kFailed,         // `consume` returned an error (in ExchangeResult::status)
  kTimedOut,       // the deadline passed; the child has been killed
  kStoppedOutput,  // the child closed its stdout (usually: it exited); see exit_description()
};

struct ExchangeResult {
  ExchangeEnd end = ExchangeEnd::kDone;
  Status status;  // set for kFailed
};

class ChildProcess {
 public:
  // Called with everything read from stdout so far that it has not erased; returns true
  // when the answer is complete, or an error for a malformed one.
  using Consume = std::function<Result<bool>(std::string* output)>;

  // Starts `/bin/sh -c command` with Probity's environment plus `environment` (NAME=VALUE
  // entries, replacing a variable of the same name). kFailedPrecondition when the process
  // cannot be started (no /bin/sh, out of processes or file descriptors).
  static Result<std::unique_ptr<ChildProcess>> Start(const std::string& command,
                                                     const std::vector<std::string>& environment,
                                                     int64_t shutdown_grace_ms);

  // Closes the child's stdin (its signal to finish), waits up to the shutdown grace for
  // it to exit, then kills its process group, and reaps it.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Writes `request` to the child's stdin while appending its stdout to `*output` and
  // calling `consume` after each read, until the request is written and consume returns
  // true, within `timeout_ms`. On kTimedOut and kStoppedOutput the child is gone (killed if
  // needed, and reaped); its stderr has been read to the end. Not thread-safe.
  ExchangeResult Exchange(std::string_view request, std::string* output, const Consume& consume,
                          int64_t timeout_ms);

  // Kills the process group and reaps the child (idempotent).
  void Kill();

  // The last 64 KiB of the child's stderr (prefixed with "…" when cut), trailing newlines
  // removed.
  std::string stderr_tail() const;
  // After the child was reaped: "exited with status 3", "was killed by signal 11
  // (Segmentation fault)"; empty before.
  const std::string& exit_description() const { return exit_description_; }

 private:
  ChildProcess() = default;
  void ReadStderr();
  void DrainStderr(int64_t timeout_ms);
  // Waits up to `timeout_ms` for the child to exit, then kills the group; reaps it.
  void WaitAndReap(int64_t timeout_ms);
  static void CloseFd(int* fd);

  pid_t pid_ = -1;
  bool reaped_ = false;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  int64_t shutdown_grace_ms_ = 0;
  std::string stderr_;
  bool stderr_cut_ = false;
  std::string exit_description_;
};

}  // namespace probity::models::internal
