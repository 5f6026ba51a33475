#include "audit/core/status.h"

namespace probity {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kFailedPrecondition: return "failed_precondition";
    case StatusCode::kIntegrityViolation: return "integrity_violation";
    case StatusCode::kIoError: return "io_error";
    case StatusCode::kUnimplemented: return "unimplemented";
    case StatusCode::kInternal: return "internal";
  }
  return "unknown";
}

Status::Status(StatusCode code, std::string message) {
  if (code != StatusCode::kOk) {
    state_ = std::make_unique<State>(State{code, std::move(message), {}, {}});
  }
}

Status::Status(const Status& other)
    : state_(other.state_ ? std::make_unique<State>(*other.state_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) state_ = other.state_ ? std::make_unique<State>(*other.state_) : nullptr;
  return *this;
}

namespace {
const std::string& EmptyString() {
  static const std::string empty;
  return empty;
}
}  // namespace

const std::string& Status::message() const { return state_ ? state_->message : EmptyString(); }
const std::string& Status::expected() const { return state_ ? state_->expected : EmptyString(); }
const InputLocation& Status::location() const {
  static const InputLocation none;
  return state_ ? state_->location : none;
}

Status& Status::At(InputLocation location) & {
  if (state_) state_->location = std::move(location);
  return *this;
}
Status&& Status::At(InputLocation location) && { return std::move(At(std::move(location))); }

Status& Status::Expecting(std::string expected) & {
  if (state_) state_->expected = std::move(expected);
  return *this;
}
Status&& Status::Expecting(std::string expected) && {
  return std::move(Expecting(std::move(expected)));
}

Status& Status::InFile(std::string_view file) & {
  if (state_ && state_->location.file.empty()) state_->location.file = std::string(file);
  return *this;
}
Status&& Status::InFile(std::string_view file) && { return std::move(InFile(file)); }

std::string Status::ToString() const {
  if (ok()) return "ok";
  const InputLocation& where = state_->location;
  std::string out;
  if (!where.file.empty()) {
    out += where.file;
    if (where.line > 0) {
      out += ':' + std::to_string(where.line);
      if (where.column > 0) out += ':' + std::to_string(where.column);
    }
    out += ": ";
  }
  out += state_->message;
  if (!state_->expected.empty()) out += "; expected " + state_->expected;
  return out;
}

Status InvalidArgumentError(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message));
}
Status NotFoundError(std::string message) {
  return Status(StatusCode::kNotFound, std::move(message));
}
Status FailedPreconditionError(std::string message) {
  return Status(StatusCode::kFailedPrecondition, std::move(message));
}
Status IntegrityViolationError(std::string message) {
  return Status(StatusCode::kIntegrityViolation, std::move(message));
}
Status IoError(std::string message) { return Status(StatusCode::kIoError, std::move(message)); }
Status UnimplementedError(std::string message) {
  return Status(StatusCode::kUnimplemented, std::move(message));
}
Status InternalError(std::string message) {
  return Status(StatusCode::kInternal, std::move(message));
}

}  // namespace probity
