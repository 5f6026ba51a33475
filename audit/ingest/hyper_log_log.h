// HyperLogLog estimates the number of distinct values in a stream in 16 KiB (Flajolet,
// Fusy, Gandouet and Meunier, "HyperLogLog: the analysis of a near-optimal cardinality
// estimation algorithm", AofA 2007), with linear counting for small cardinalities. With 2^14
// registers its relative standard error is 1.04/sqrt(2^14) = 0.81%. Values are added as
// 64-bit hashes (audit/core/hash.h); sketches merge exactly, in any order.
//
//   HyperLogLog hll;
//   hll.AddHash(HashBytes("Male"));
//   double n = hll.Estimate();
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace probity::ingest {

class HyperLogLog {
 public:
  static constexpr int kPrecision = 14;
  static constexpr size_t kRegisters = size_t{1} << kPrecision;

  void AddHash(uint64_t hash) {
    size_t index = hash >> (64 - kPrecision);
    uint64_t rest = (hash << kPrecision) | (uint64_t{1} << (kPrecision - 1));
    auto rank = static_cast<uint8_t>(__builtin_clzll(rest) + 1);
    if (registers_[index] < rank) registers_[index] = rank;
  }
  void Merge(const HyperLogLog& other);
  double Estimate() const;
  static double RelativeStandardError();

 private:
  std::array<uint8_t, kRegisters> registers_{};
};

}  // namespace probity::ingest
