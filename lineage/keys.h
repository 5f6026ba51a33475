// Keys and signatures. Probity signs with Ed25519 (RFC 8032) through OpenSSL 3 and verifies
// Ed25519 and ECDSA P-256 (what Sigstore uses). A key is named by its key id: lower-case hex
// SHA-256 of its DER SubjectPublicKeyInfo (reference/lineage.md §5.4).
//
// Code that signs takes a `const Signer&`, so tests can inject one and a hardware or KMS
// signer can be added later without touching the callers.
//
//   PROBITY_ASSIGN_OR_RETURN(auto signer, GenerateEd25519Signer());
//   PROBITY_ASSIGN_OR_RETURN(std::string sig, signer->Sign("message"));
//   bool ok = signer->public_key().Verify("message", sig);
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/core/clock.h"
#include "audit/core/result.h"

namespace probity::lineage {

enum class KeyAlgorithm { kEd25519, kEcdsaP256 };

// "ed25519" or "ecdsa-p256".
std::string_view KeyAlgorithmName(KeyAlgorithm algorithm);

// A public key. Cheap to copy (the OpenSSL key is shared and immutable).
class PublicKey {
 public:
  // Parses one PEM "PUBLIC KEY" block (SPKI). `origin` names the source in errors.
  static Result<PublicKey> FromPem(std::string_view pem, std::string_view origin);
  // DER SubjectPublicKeyInfo.
  static Result<PublicKey> FromDer(std::string_view der, std::string_view origin);
  // A raw 32-byte Ed25519 key (as in signed-note verifier keys).
  static Result<PublicKey> FromRawEd25519(std::string_view raw);

  KeyAlgorithm algorithm() const { return algorithm_; }
  // DER SubjectPublicKeyInfo (44 bytes for Ed25519).
  const std::string& der() const { return der_; }
  // Lower-case hex SHA-256 of der().
  const std::string& id() const { return id_; }
  // The raw 32-byte key for Ed25519; empty for other algorithms.
  std::string RawEd25519() const;
  std::string ToPem() const;

  // True only for a valid signature. Ed25519 signatures are the raw 64 bytes; ECDSA
  // signatures are DER SEQUENCE{r, s} over SHA-256 of the message.
  bool Verify(std::string_view message, std::string_view signature) const;

 private:
  struct Key;
  std::shared_ptr<const Key> key_;
  KeyAlgorithm algorithm_ = KeyAlgorithm::kEd25519;
  std::string der_;
  std::string id_;
};

// Something that signs bytes with one private key.
class Signer {
 public:
  virtual ~Signer() = default;
  virtual const PublicKey& public_key() const = 0;
  // The signature over `message` in the encoding PublicKey::Verify expects.
  virtual Result<std::string> Sign(std::string_view message) const = 0;
  const std::string& key_id() const { return public_key().id(); }
};

// A fresh Ed25519 key pair held in memory.
Result<std::unique_ptr<Signer>> GenerateEd25519Signer();

// Reads a PKCS#8 PEM private key. Refuses (kFailedPrecondition) a key file that its group or
// others may read, as ssh does: a leaked signing key makes every signature meaningless.
Result<std::unique_ptr<Signer>> LoadSigner(const std::string& path);

// Writes `signer`'s private key as PKCS#8 PEM at `key_path` (mode 0600, created exclusively:
// never overwrites) and its public key at `key_path + ".pub"` (mode 0644). Only for signers
// made by GenerateEd25519Signer or LoadSigner.
Status WriteKeyPair(const Signer& signer, const std::string& key_path);

// A key the auditor trusts, with the optional window in which its signatures count.
struct TrustedKey {
  std::string name;  // from the file, or the key id when unnamed
  PublicKey key;
  std::optional<TimePoint> not_before;
  std::optional<TimePoint> not_after;
  bool ValidAt(TimePoint t) const {
    return (!not_before || t >= *not_before) && (!not_after || t <= *not_after);
  }
};

}  // namespace probity::lineage
