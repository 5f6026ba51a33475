#include "audit/cli/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace probity::cli {
namespace {

std::string Bytes(double b) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1000 && u < 4) b /= 1000, ++u;
  return fmt::format("{:.1f} {}", b, units[u]);
}

}  // namespace

ProgressBar::ProgressBar(std::string label, bool enabled)
    : label_(std::move(label)), enabled_(enabled), start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() { Finish(); }

bool ProgressBar::ShouldShow(bool quiet) { return !quiet && ::isatty(STDERR_FILENO) == 1; }

void ProgressBar::Update(int64_t done, int64_t total) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  double seconds = std::chrono::duration<double>(now - start_).count();
  std::string rate = seconds > 0 ? Bytes(static_cast<double>(done) / seconds) + "/s" : "";
  std::string line;
  if (total > 0) {
    double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
    constexpr int kWidth = 30;
    int filled = static_cast<int>(fraction * kWidth);
    line = fmt::format("\r{} [{}{}] {:3.0f}% {} / {} {}", label_, std::string(filled, '#'),
                       std::string(kWidth - filled, ' '), fraction * 100,
                       Bytes(static_cast<double>(done)), Bytes(static_cast<double>(total)), rate);
  } else {
    line = fmt::format("\r{} {} {}", label_, Bytes(static_cast<double>(done)), rate);
  }
  std::fputs(line.c_str(), stderr);
  std::fputs("\x1b[K", stderr);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::Finish() {
  if (!drawn_) return;
  std::fputs("\r\x1b[K", stderr);
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace probity::cli
