#include "audit/core/clock.h"

#include <charconv>
#include <ctime>

namespace probity {
namespace {

class WallClock : public Clock {
 public:
  TimePoint Now() const override {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  }
};

}  // namespace

const Clock& SystemClock() {
  static const WallClock clock;
  return clock;
}

std::string FormatRfc3339(TimePoint t) {
  std::time_t seconds = t.time_since_epoch().count();
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

Result<TimePoint> ParseEpochSeconds(std::string_view text) {
  int64_t seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || seconds < 0) {
    std::string what = "\"";
    what.append(text).append("\" is not a time");
    return InvalidArgumentError(std::move(what))
        .Expecting("a non-negative number of seconds since 1970-01-01T00:00:00Z");
  }
  return TimePoint(std::chrono::seconds(seconds));
}

Result<TimePoint> ParseRfc3339(std::string_view text) {
  std::tm tm{};
  const std::string s(text);
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0' || s.size() != 20) {
    return InvalidArgumentError("\"" + s + "\" is not a time")
        .Expecting("an RFC 3339 UTC time such as 2026-01-31T00:00:00Z");
  }
  return TimePoint(std::chrono::seconds(timegm(&tm)));
}

}  // namespace probity
