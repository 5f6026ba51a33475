#include "audit/ingest/hyper_log_log.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace probity::ingest {

void HyperLogLog::Merge(const HyperLogLog& other) {
  for (size_t i = 0; i < kRegisters; ++i) {
    registers_[i] = std::max(registers_[i], other.registers_[i]);
  }
}

double HyperLogLog::Estimate() const {
  const double m = static_cast<double>(kRegisters);
  double sum = 0;
  int zeros = 0;
  for (uint8_t r : registers_) {
    sum += std::ldexp(1.0, -r);
    if (r == 0) ++zeros;
  }
  const double alpha = 0.7213 / (1 + 1.079 / m);
  double estimate = alpha * m * m / sum;
  if (estimate <= 2.5 * m && zeros > 0) estimate = m * std::log(m / zeros);
  return estimate;
}

double HyperLogLog::RelativeStandardError() {
  return 1.04 / std::sqrt(static_cast<double>(kRegisters));
}

}  // namespace probity::ingest
