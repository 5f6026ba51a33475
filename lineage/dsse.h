// DSSE (Dead Simple Signing Envelope, v1.0.2): how Probity signs attestations. The signature
// covers PAE(payloadType, payload), never a re-serialization of the payload, and verification
// hands back exactly the bytes that were verified (reference/lineage.md §2.2).
//
//   PROBITY_ASSIGN_OR_RETURN(Envelope envelope,
//                            SignEnvelope(kInTotoPayloadType, statement_bytes, signer));
//   std::string json = EnvelopeJson(envelope);
//   PROBITY_ASSIGN_OR_RETURN(Envelope parsed, ParseEnvelope(json, "model.intoto.jsonl:1"));
//   PROBITY_ASSIGN_OR_RETURN(VerifiedPayload verified, VerifyEnvelope(parsed, trusted_keys));
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/core/clock.h"
#include "audit/core/result.h"
#include "lineage/keys.h"

namespace probity::lineage {

// The pre-authentication encoding: "DSSEv1" SP len(type) SP type SP len(body) SP body, the
// lengths in ASCII decimal bytes. This is the byte string that is signed.
std::string Pae(std::string_view type, std::string_view body);

struct Envelope {
  std::string payload_type;
  std::string payload;  // the decoded payload bytes
  struct Signature {
    std::string keyid;  // unauthenticated hint; may be empty
    std::string sig;    // the decoded signature bytes
  };
  std::vector<Signature> signatures;
};

// Signs PAE(payload_type, payload) with `signer`; the signature's keyid is signer.key_id().
// Errors: whatever the signer returns.
Result<Envelope> SignEnvelope(std::string_view payload_type, std::string payload,
                              const Signer& signer);

// The envelope as canonical JSON (RFC 8785): {"payload":…,"payloadType":…,"signatures":
// [{"keyid":…,"sig":…}]}, with standard padded base64; an empty keyid is left out.
// payload_type and keyids must be valid UTF-8 (they are when they come from ParseEnvelope or
// SignEnvelope with a UTF-8 type).
std::string EnvelopeJson(const Envelope& envelope);

// Parses a DSSE JSON envelope strictly (ParseStrictJson). "payload", "payloadType",
// "signatures" and each signature's "sig" are required, "keyid" is optional, other members
// are ignored. Base64 may use the standard or the URL-safe alphabet, padded or not (DSSE
// verifiers must accept both). kInvalidArgument naming `origin` and the field otherwise.
Result<Envelope> ParseEnvelope(std::string_view json, std::string_view origin);

struct VerifiedPayload {
  std::string payload_type;
  std::string payload;               // exactly the bytes that were verified
  std::vector<std::string> key_ids;  // the distinct trusted keys that verified, sorted
};

// Verifies `envelope` against `trusted` keys: it is valid when at least `threshold` distinct
// trusted keys each verify some signature over PAE(payload_type, payload). A signature's keyid
// only narrows which keys are tried (when a trusted key has that id); it is never trusted, and
// a repeated signature or a key listed twice counts once. When `at` is given, only keys whose
// validity window contains it count; without it, windows are not checked. Returns the payload
// bytes that were verified (never re-serialized). Errors: kInvalidArgument for threshold 0;
// kIntegrityViolation when fewer than `threshold` distinct trusted keys verify (the message
// says how many did). The caller must still check payload_type before parsing the payload.
Result<VerifiedPayload> VerifyEnvelope(const Envelope& envelope,
                                       const std::vector<TrustedKey>& trusted, size_t threshold = 1,
                                       std::optional<TimePoint> at = {});

}  // namespace probity::lineage
