// Checkpoints: the signed statement "the log named <origin> has <size> entries and this root
// hash", in the C2SP signed-note format that Go's checksum database, Tessera, Rekor v2 and
// transparency witnesses use (reference/lineage.md §1.6; docs/formats/checkpoint.md). A note is
// a body of non-empty lines, one blank line, then one or more signature lines
// "— <name> <base64(key hash ‖ signature)>"; each signature covers the body bytes exactly,
// including its final newline. Probity signs with Ed25519 and names keys the sumdb way: a
// 4-byte key hash of the name and the raw public key.
//
//   PROBITY_ASSIGN_OR_RETURN(std::string text, SignNote(checkpoint, "probity.local/ws", signer));
//   PROBITY_ASSIGN_OR_RETURN(SignedNote note, ParseSignedNote(text, "checkpoint.txt"));
//   NoteVerification v = VerifyNoteSignatures(note, trusted_keys);
//   if (v.verified_key_ids.empty()) { /* no trusted key signed it */ }
//   PROBITY_ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpointBody(note.body, "checkpoint.txt"));
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/core/digest.h"
#include "audit/core/result.h"
#include "lineage/keys.h"

namespace probity::lineage {

// The body of a checkpoint (C2SP tlog-checkpoint).
struct Checkpoint {
  std::string origin;  // the log's identity; Probity uses "probity.local/<workspace id>"
  uint64_t size = 0;   // number of leaves
  Digest root;         // RFC 9162 root hash of those leaves
  std::vector<std::string> extra_lines;  // optional further lines, each non-empty

  // "<origin>\n<size>\n<base64 root>\n" followed by each extra line and "\n": the signed bytes.
  std::string Body() const;
  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// A signed note as written: its body (the signed bytes) and its signature lines, in order.
struct SignedNote {
  struct Signature {
    std::string name;       // the key name, no spaces or '+'
    uint32_t key_hash = 0;  // the first 4 bytes of the line's base64 payload, big-endian
    std::string signature;  // the rest of the payload (64 bytes for Ed25519)
    friend bool operator==(const Signature&, const Signature&) = default;
  };
  std::string body;  // every line before the blank separator, each with its "\n"
  std::vector<Signature> signatures;
};

// Limits that keep a hostile note from costing more than a glance.
inline constexpr size_t kMaxNoteBytes = size_t{1} << 20;
inline constexpr size_t kMaxNoteSignatures = 100;

// Parses a signed note strictly: valid UTF-8 without control characters other than "\n"; a
// body of at least one line, no line empty; exactly one blank line; then 1 to 100 signature
// lines "— <name> <base64>" (U+2014 EM DASH, a name without whitespace or '+', canonical
// standard base64 of at least 5 bytes), every line ending in "\n", nothing after them.
// kInvalidArgument otherwise, located at `file_name`:<line>:<column> with what was expected.
// Signatures are not checked here (VerifyNoteSignatures does that).
Result<SignedNote> ParseSignedNote(std::string_view text, std::string_view file_name);

// Parses a note body as a checkpoint: origin line (non-empty), tree size (decimal, no sign, no
// leading zeros, at most 2^64-1), root (canonical base64 of exactly 32 bytes), then any extra
// lines; every line non-empty and ending in "\n". kInvalidArgument otherwise, located as
// above.
Result<Checkpoint> ParseCheckpointBody(std::string_view body, std::string_view file_name);

// The note text: body, blank line, one line per signature. The inverse of ParseSignedNote.
std::string FormatSignedNote(const SignedNote& note);

// The sumdb/C2SP key hash of an Ed25519 key: the first 4 bytes, big-endian, of
// SHA-256(name ‖ "\n" ‖ 0x01 ‖ raw public key). `key` must be Ed25519 (checked).
uint32_t NoteKeyHash(std::string_view name, const PublicKey& key);

// The verifier key text "<name>+<8 hex key hash>+<base64(0x01 ‖ raw key)>" of an Ed25519
// key, as witnesses and Go's note package read it. `key` must be Ed25519 (checked).
std::string NoteVerifierKey(std::string_view name, const PublicKey& key);

// Parses a verifier key written by NoteVerifierKey (or Go's note.NewEd25519VerifierKey):
// returns its name and key. kInvalidArgument for a malformed name, hash or base64, a key of
// the wrong length, or a key hash that does not match the name and key; kUnimplemented for an
// algorithm byte other than 0x01 (Ed25519).
Result<std::pair<std::string, PublicKey>> ParseNoteVerifierKey(std::string_view text);

// Signs `body` (a note body, which must end in "\n") as key `name`. kInvalidArgument for a
// name that is empty or holds whitespace or '+'; kUnimplemented for a non-Ed25519 signer;
// the signer's own error if signing fails.
Result<SignedNote::Signature> SignNoteBody(std::string_view body, std::string_view name,
                                           const Signer& signer);

// The full note text of `checkpoint` signed by `signer` as key `name`. kInvalidArgument when
// the checkpoint would not parse back (empty origin, a line holding "\n" or a control
// character, an empty extra line) or for a bad name; kUnimplemented for a non-Ed25519 signer.
Result<std::string> SignNote(const Checkpoint& checkpoint, std::string_view name,
                             const Signer& signer);

// What became of each signature of a note.
enum class NoteSignatureStatus {
  kVerified,      // a trusted key's valid signature, the first from that key
  kDuplicateKey,  // valid, but from a key already counted: counts once
  kUnknownKey,    // no trusted Ed25519 key has this name and key hash: ignored
  kInvalid,       // a trusted key's name and hash, but the signature does not verify
};

std::string_view NoteSignatureStatusName(NoteSignatureStatus status);

struct NoteVerification {
  std::vector<NoteSignatureStatus> statuses;  // one per note signature, in order
  std::vector<std::string> verified_key_ids;  // distinct trusted keys (PublicKey::id())
                                              // with a valid signature, in note order
  size_t Count(NoteSignatureStatus status) const;
};

// Checks every signature of `note` against `trusted`: a signature is matched to the trusted
// Ed25519 keys with its name and key hash, then verified over note.body exactly as parsed.
// Each trusted key counts once however many times it signed or is listed. Validity windows
// (TrustedKey::ValidAt) are not applied here: the caller, who knows the checkpoint's time,
// filters `trusted` first. Stateless and thread-safe.
NoteVerification VerifyNoteSignatures(const SignedNote& note, std::span<const TrustedKey> trusted);

}  // namespace probity::lineage
