// Digest is a SHA-256 content identity, written "sha256:<64 lower-case hex>" everywhere
// Probity names bytes (DESIGN.md §9). Sha256 computes one incrementally with OpenSSL's EVP
// interface, so files are hashed while they stream and never loaded whole.
//
//   Sha256 hasher;
//   hasher.Update(chunk);            // as many times as needed
//   Digest digest = hasher.Finish(); // digest.ToString() == "sha256:…"
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "audit/core/result.h"

namespace probity {

struct Digest {
  std::array<uint8_t, 32> bytes{};

  std::string Hex() const;
  std::string ToString() const { return "sha256:" + Hex(); }
  // Parses "sha256:<64 hex>"; kInvalidArgument otherwise.
  static Result<Digest> Parse(std::string_view text);
  friend bool operator==(const Digest&, const Digest&) = default;
};

// Incremental SHA-256. Not thread-safe; one instance per stream.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void Update(std::string_view bytes);
  // Returns the digest of everything passed to Update and resets for reuse.
  Digest Finish();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// The digest of a byte string in one call.
Digest Sha256Of(std::string_view bytes);

}  // namespace probity
