// A one-line progress bar on stderr for long work (reading a large file). It draws only when
// stderr is a terminal and --quiet is off, redraws at most ten times a second, and erases
// itself when done, so logs and pipes never see it.
//
//   ProgressBar bar("profiling german.csv", ProgressBar::ShouldShow(quiet));
//   options.progress = [&](int64_t done, int64_t total) { bar.Update(done, total); };
//   ...
//   bar.Finish();
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace probity::cli {

class ProgressBar {
 public:
  ProgressBar(std::string label, bool enabled);
  ~ProgressBar();
  // True when stderr is a terminal and not `quiet`.
  static bool ShouldShow(bool quiet);
  // `total` < 0 when unknown (a pipe): shows bytes and rate only.
  void Update(int64_t done, int64_t total);
  // Erases the bar.
  void Finish();

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace probity::cli
