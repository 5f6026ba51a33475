// PROBITY_CHECK aborts with a message when a programmer's assumption is false. It is for
// bugs only: never use it on a condition that user input can reach (return a Status).
#pragma once

namespace probity::internal {
[[noreturn]] void CheckFailed(const char* condition, const char* file, int line);
}  // namespace probity::internal

#define PROBITY_CHECK(cond)                                                   \
  do {                                                                        \
    if (!(cond)) ::probity::internal::CheckFailed(#cond, __FILE__, __LINE__); \
  } while (false)
