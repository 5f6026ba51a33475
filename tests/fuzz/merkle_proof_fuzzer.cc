// libFuzzer target: arbitrary bytes as Merkle proof claims for VerifyInclusion and
// VerifyConsistency, which must answer (never crash) for any sizes, indexes and hash lengths.
// For small trees it also checks the round trip: a generated proof always verifies.
//
// Input layout: byte 0 flags (bit 0 consistency instead of inclusion; bit 1 reduce both
// numbers mod 1024; bit 2 cut the rest into 32-byte hashes instead of length-prefixed ones;
// bit 3 also generate and verify a proof for the reduced sizes), bytes 1-8 and 9-16 two
// little-endian uint64 (index and size, or old and new size), then hashes: the leaf hash (or
// old root), the root (or new root), then the proof.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "lineage/merkle.h"

namespace {

using probity::Digest;
using probity::StatusCode;
namespace lineage = probity::lineage;

uint64_t ReadU64(const uint8_t* p) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | p[i];
  return value;
}

// A generated proof over a tree of `size` deterministic leaves must verify.
void CheckRoundTrip(bool consistency, uint64_t a, uint64_t b) {
  const uint64_t size = b;
  if (size == 0 || size > 1024) return;
  lineage::MemoryTree tree;
  for (uint64_t i = 0; i < size; ++i) tree.Append(lineage::LeafHash(std::to_string(i)));
  if (!consistency) {
    const uint64_t index = a % size;
    auto proof = lineage::InclusionProof(index, size, tree);
    if (!proof.has_value()) std::abort();
    if (!lineage::VerifyInclusion(index, size, lineage::LeafHash(std::to_string(index)), *proof,
                                  tree.Root())
             .ok()) {
      std::abort();
    }
    return;
  }
  const uint64_t old_size = a % size + 1;
  auto proof = lineage::ConsistencyProof(old_size, size, tree);
  auto old_root = lineage::RootAt(old_size, tree);
  if (!proof.has_value() || !old_root.has_value()) std::abort();
  if (!lineage::VerifyConsistency(old_size, size, *old_root, tree.Root(), *proof).ok()) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 17) return 0;
  const uint8_t flags = data[0];
  uint64_t a = ReadU64(data + 1);
  uint64_t b = ReadU64(data + 9);
  if (flags & 2) {
    a %= 1024;
    b %= 1024;
  }
  std::vector<std::string> hashes;
  for (size_t i = 17; i < size;) {
    size_t length = 32;
    if (!(flags & 4)) length = data[i++] % 48;
    if (length > size - i) length = size - i;
    hashes.emplace_back(reinterpret_cast<const char*>(data + i), length);
    i += length;
  }
  hashes.resize(std::max<size_t>(hashes.size(), 2));
  const std::vector<std::string> proof(hashes.begin() + 2, hashes.end());
  const bool consistency = flags & 1;
  const probity::Status status = consistency
                                     ? lineage::VerifyConsistency(a, b, hashes[0], hashes[1], proof)
                                     : lineage::VerifyInclusion(a, b, hashes[0], proof, hashes[1]);
  if (!status.ok() && status.code() != StatusCode::kInvalidArgument &&
      status.code() != StatusCode::kIntegrityViolation) {
    std::abort();
  }
  if (flags & 8) CheckRoundTrip(consistency, a, b);
  return 0;
}
