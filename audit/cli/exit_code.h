// The one place where outcomes become process exit codes (DESIGN.md §8, docs/cli.md).
// Codes are a stable contract for CI systems: never renumber them.
#pragma once

#include "audit/core/status.h"

namespace probity::cli {

enum class ExitCode : int {
  kOk = 0,           // success; for gate/verify: compliant / verified
  kCheckFailed = 1,  // the check ran and failed (policy violation, verification failure)
  kUsage = 2,        // unknown option, missing argument, bad option value
  kBadInput = 3,     // unreadable or malformed input file, schema mismatch
  kEnvironment = 4,  // missing workspace, key, permission, full disk
  kInternal = 70,    // a bug in Probity
};

// A command's successful result: whether the check it ran passed.
enum class Verdict { kPass, kFail };

// Maps an error status to its exit code: invalid input, unknown files and unsupported
// features are bad input (3); I/O and precondition failures are environment errors (4);
// a digest or signature that does not verify is a failed check (1); internal errors are 70.
ExitCode ExitCodeFor(const Status& status);

// kOk for kPass, kCheckFailed for kFail.
ExitCode ExitCodeFor(Verdict verdict);

}  // namespace probity::cli
