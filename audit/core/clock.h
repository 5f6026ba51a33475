// Clock is the only way Probity code reads the time, so tests and reproducible runs can fix
// it and two runs over the same inputs produce byte-identical records (DESIGN.md §9).
//
//   const Clock& clock = SystemClock();
//   std::string stamp = FormatRfc3339(clock.Now());   // "2026-11-28T18:21:29Z"
#pragma once

#include <chrono>
#include <string>

#include "audit/core/result.h"

namespace probity {

using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  // The current time, at one-second resolution. Thread-safe.
  virtual TimePoint Now() const = 0;
};

// The real wall clock. The returned object lives for the whole program.
const Clock& SystemClock();

// Always returns the time it was given.
class FixedClock : public Clock {
 public:
  explicit FixedClock(TimePoint now) : now_(now) {}
  TimePoint Now() const override { return now_; }

 private:
  TimePoint now_;
};

// UTC, "YYYY-MM-DDTHH:MM:SSZ".
std::string FormatRfc3339(TimePoint t);
// Parses "YYYY-MM-DDTHH:MM:SSZ" (what FormatRfc3339 writes); kInvalidArgument otherwise.
Result<TimePoint> ParseRfc3339(std::string_view text);

// Parses seconds since the epoch (the SOURCE_DATE_EPOCH convention of reproducible builds);
// kInvalidArgument for anything but a non-negative integer.
Result<TimePoint> ParseEpochSeconds(std::string_view text);

}  // namespace probity
