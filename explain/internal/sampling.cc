#include "explain/internal/sampling.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <unordered_map>

#include "audit/core/status.h"

namespace probity::explain::internal {
namespace {

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

Rng::Rng(uint64_t seed) {
  for (uint64_t& s : s_) s = SplitMix64(seed);
}

uint64_t Rng::Next() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

double Rng::Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

uint64_t Rng::Below(uint64_t n) {
  if (n == 0) return 0;
  // Reject the lowest 2^64 mod n raw values so that every residue is equally likely.
  const uint64_t threshold = (0 - n) % n;
  uint64_t r = Next();
  while (r < threshold) r = Next();
  return r % n;
}

double Rng::Normal() {
  const double u1 = 1.0 - Uniform();  // (0, 1]
  const double u2 = Uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double Rng::TruncatedNormal(double mean, double sd, double lo, double hi) {
  if (!(sd > 0) || !(lo < hi)) return mean;
  double v = mean;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    v = mean + sd * Normal();
    if (v >= lo && v <= hi) return v;
  }
  return std::clamp(v, lo, hi);
}

Result<InputFrame> AlignFrame(const InputFrame& reference, const InputFrame& other,
                              const std::string& what) {
  if (other.names != reference.names || other.is_string != reference.is_string) {
    return InvalidArgumentError(what + " does not have the layout of the training data")
        .Expecting("the model's inputs with the same types in both (" +
                   std::to_string(reference.width()) + " inputs)");
  }
  InputFrame out = EmptyLike(reference);
  out.rows = other.rows;
  out.values = other.values;
  const size_t width = reference.width();
  for (size_t j = 0; j < width; ++j) {
    if (!reference.is_string[j]) continue;
    std::unordered_map<std::string, double> index;
    for (size_t c = 0; c < out.dictionaries[j].size(); ++c) {
      index.emplace(out.dictionaries[j][c], static_cast<double>(c));
    }
    std::vector<double> recode;  // other's code → out's code
    for (const std::string& s : other.dictionaries[j]) {
      auto [it, added] = index.emplace(s, static_cast<double>(out.dictionaries[j].size()));
      if (added) out.dictionaries[j].push_back(s);
      recode.push_back(it->second);
    }
    for (int64_t r = 0; r < other.rows; ++r) {
      double& v = out.values[static_cast<size_t>(r) * width + j];
      if (std::isnan(v)) continue;
      const auto code = static_cast<size_t>(v);
      v = code < recode.size() ? recode[code] : std::numeric_limits<double>::quiet_NaN();
    }
  }
  return out;
}


}  // namespace probity::explain::internal
