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

// Hash of a byte string: 8-byte words folded with a multiply-xorshift, then mixed.
inline uint64_t HashBytes(std::string_view s) {
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ (s.size() * 0xff51afd7ed558ccdULL);
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = Mix64(h ^ w);
  }
  uint64_t tail = 0;
  for (size_t k = i; k < s.size(); ++k) tail |= uint64_t{static_cast<unsigned char>(s[k])} << (8 * (k - i));
  return Mix64(h ^ tail ^ (uint64_t{0xa5} << 56));
}

}  // namespace probity
