// Fixed 64-bit hashes for sketches. They are defined here, not taken from std::hash, so that
// sketch results are the same on every platform and standard library.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace probity {

// The splitmix64 finalizer: a bijective mix of 64 bits.
inline uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline uint64_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Hash of a byte string. Short strings (the usual category) are read with two overlapping
// loads instead of a byte loop.
inline uint64_t HashBytes(std::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL);
  if (n >= 8) {
    size_t i = 0;
    for (; i + 8 < n; i += 8) h = Mix64(h ^ Load64(p + i));
    return Mix64(h ^ Load64(p + n - 8) ^ (uint64_t{0xa5} << 56));
  }
  uint64_t w;
  if (n >= 4) {
    w = Load32(p) | (Load32(p + n - 4) << 32);
  } else if (n > 0) {
    w = static_cast<unsigned char>(p[0]) | (uint64_t{static_cast<unsigned char>(p[n / 2])} << 8) |
        (uint64_t{static_cast<unsigned char>(p[n - 1])} << 16);
  } else {
    w = 0;
  }
  return Mix64(h ^ w);
}

}  // namespace probity
