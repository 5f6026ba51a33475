#include "audit/cli/exit_code.h"

namespace probity::cli {

ExitCode ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return ExitCode::kOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kUnimplemented: return ExitCode::kBadInput;
    case StatusCode::kFailedPrecondition:
    case StatusCode::kIoError: return ExitCode::kEnvironment;
    case StatusCode::kIntegrityViolation: return ExitCode::kCheckFailed;
    case StatusCode::kInternal: return ExitCode::kInternal;
  }
  return ExitCode::kInternal;
}

ExitCode ExitCodeFor(Verdict verdict) {
  return verdict == Verdict::kPass ? ExitCode::kOk : ExitCode::kCheckFailed;
}

}  // namespace probity::cli
