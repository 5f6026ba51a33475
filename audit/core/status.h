// Status is how every library function in Probity reports failure: a small closed set of
// codes, a message, and where in the user's input the problem is. The command line turns a
// Status into one stderr line and an exit code (audit/cli/exit_code.h); nothing else exits.
//
//   return InvalidArgumentError("found \"4o\" in column \"age\"")
//       .At({"german.csv", 17, 4})
//       .Expecting("a number");
//   // ToString(): german.csv:17:4: found "4o" in column "age"; expected a number
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace probity {

// The closed set of failure codes. Pick the one that tells the caller what to do next.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // malformed input: a file, field or value the user supplied is wrong
  kNotFound,            // a named file, column, record or key does not exist
  kFailedPrecondition,  // the environment is not ready: no workspace, no key, wrong state
  kIntegrityViolation,  // a digest or signature does not verify
  kIoError,             // reading or writing failed (permissions, disk full, short read)
  kUnimplemented,       // valid input that uses a feature Probity does not support
  kInternal,            // a bug in Probity
};

// Returns the stable lower-case name of a code, e.g. "invalid_argument".
std::string_view StatusCodeName(StatusCode code);

// Where in the user's input something happened. Zero line/column means unknown.
struct InputLocation {
  std::string file;
  int64_t line = 0;
  int64_t column = 0;
};

// An OK status holds no allocation, so returning OkStatus() on hot paths is free.
class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;
  ~Status() = default;

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  // What was wrong, without location or expectation.
  const std::string& message() const;
  // What was expected instead; empty when not stated.
  const std::string& expected() const;
  const InputLocation& location() const;

  // Fluent setters for the optional parts; each returns the updated status. No effect on
  // an OK status.
  Status& At(InputLocation location) &;
  Status&& At(InputLocation location) &&;
  Status& Expecting(std::string expected) &;
  Status&& Expecting(std::string expected) &&;
  // Sets the file only when no file is recorded yet (for errors raised below the layer that
  // knows the path).
  Status& InFile(std::string_view file) &;
  Status&& InFile(std::string_view file) &&;

  // "<file>:<line>:<col>: <message>; expected <expected>", omitting unknown parts.
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code() == b.code() && a.message() == b.message();
  }

 private:
  struct State {
    StatusCode code;
    std::string message;
    std::string expected;
    InputLocation location;
  };
  std::unique_ptr<State> state_;
};

inline Status OkStatus() { return Status(); }
Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status FailedPreconditionError(std::string message);
Status IntegrityViolationError(std::string message);
Status IoError(std::string message);
Status UnimplementedError(std::string message);
Status InternalError(std::string message);

}  // namespace probity

#define PROBITY_STATUS_CONCAT_INNER(a, b) a##b
#define PROBITY_STATUS_CONCAT(a, b) PROBITY_STATUS_CONCAT_INNER(a, b)

// Evaluates an expression yielding a Status; returns it from the enclosing function if not OK.
#define PROBITY_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::probity::Status probity_status_ = (expr);        \
    if (!probity_status_.ok()) return probity_status_; \
  } while (false)
