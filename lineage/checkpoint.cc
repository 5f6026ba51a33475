#include "lineage/checkpoint.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>

#include "audit/core/base64.h"
#include "audit/core/check.h"

namespace probity::lineage {
namespace {

constexpr std::string_view kEmDashSpace = "\xE2\x80\x94 ";  // U+2014 then a space
constexpr char kAlgEd25519 = 0x01;
constexpr std::string_view kSignatureLineForm =
    "a signature line \"— <name> <base64>\" (U+2014 EM DASH, a space, the key name, a space, "
    "standard base64 of the key hash and signature)";

Status ErrorAt(std::string_view file, size_t line, size_t column, std::string message,
               std::string expected) {
  return InvalidArgumentError(std::move(message))
      .At({std::string(file), static_cast<int64_t>(line), static_cast<int64_t>(column)})
      .Expecting(std::move(expected));
}

// Decodes one UTF-8 sequence at text[i] (strict: no overlong forms, surrogates or code points
// above U+10FFFF). Returns its length, or 0 when the bytes there are not valid UTF-8.
size_t DecodeUtf8(std::string_view text, size_t i, char32_t& code_point) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t b0 = byte(i);
  size_t length = 0;
  char32_t min = 0;
  if (b0 < 0x80) {
    code_point = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    length = 2, code_point = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3, code_point = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4, code_point = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (text.size() - i < length) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i + k) & 0x3F);
  }
  if (code_point < min || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return 0;
  }
  return length;
}

// Go's unicode.IsSpace: the characters a note key name may not contain.
bool IsUnicodeSpace(char32_t c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// Valid UTF-8 with no control character other than "\n" (sumdb note's rule), and the size
// limit. Errors name the line and column of the first offending byte.
Status CheckNoteText(std::string_view text, std::string_view file, std::string_view what) {
  if (text.size() > kMaxNoteBytes) {
    return ErrorAt(file, 0, 0, std::string(what) + " is " + std::to_string(text.size()) + " bytes",
                   "at most " + std::to_string(kMaxNoteBytes) + " bytes");
  }
  size_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < text.size();) {
    char32_t c = 0;
    const size_t length = DecodeUtf8(text, i, c);
    if (length == 0) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", static_cast<uint8_t>(text[i]));
      return ErrorAt(file, line, i - line_start + 1,
                     std::string("byte ") + hex + " is not valid UTF-8", "UTF-8 text");
    }
    if (c == '\n') {
      ++line;
      line_start = i + 1;
    } else if (c < 0x20) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned>(c));
      return ErrorAt(file, line, i - line_start + 1,
                     std::string("control character ") + hex + (c == '\r' ? " (\\r)" : ""),
                     "printable text with \"\\n\" line endings");
    }
    i += length;
  }
  if (text.empty() || text.back() != '\n') {
    return ErrorAt(file, line, text.size() - line_start + 1,
                   std::string(what) + " does not end with a newline",
                   "every line, the last one too, to end with \"\\n\"");
  }
  return OkStatus();
}

// The lines of `text` (which ends in "\n"), without their newlines.
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string_view::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  return lines;
}

// A key name: non-empty UTF-8 without whitespace, control characters or '+' (sumdb note's
// isValidName, and its rule against control characters anywhere in a note).
bool IsValidKeyName(std::string_view name) {
  if (name.empty() || name.find('+') != std::string_view::npos) return false;
  for (size_t i = 0; i < name.size();) {
    char32_t c = 0;
    const size_t length = DecodeUtf8(name, i, c);
    if (length == 0 || IsUnicodeSpace(c) || c < 0x20) return false;
    i += length;
  }
  return true;
}

// Standard base64 in its one canonical spelling (padded, zero trailing bits).
std::optional<std::string> DecodeCanonicalBase64(std::string_view text) {
  std::optional<std::string> bytes = Base64Decode(text);
  if (!bytes || Base64Encode(*bytes) != text) return std::nullopt;
  return bytes;
}

uint32_t BigEndian32(std::string_view bytes) {
  uint32_t value = 0;
  for (size_t i = 0; i < 4; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

std::string BigEndianBytes(uint32_t value) {
  std::string bytes(4, '\0');
  for (size_t i = 0; i < 4; ++i) bytes[i] = static_cast<char>(value >> (24 - 8 * i));
  return bytes;
}

// The first 4 bytes, big-endian, of SHA-256(name ‖ "\n" ‖ algorithm byte ‖ key).
uint32_t KeyHashOf(std::string_view name, std::string_view algorithm_and_key) {
  std::string input(name);
  input += '\n';
  input += algorithm_and_key;
  const Digest digest = Sha256Of(input);
  return BigEndian32(std::string_view(reinterpret_cast<const char*>(digest.bytes.data()), 4));
}

std::string Hex32(uint32_t value) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", value);
  return hex;
}

Result<SignedNote::Signature> ParseSignatureLine(std::string_view line, size_t line_number,
                                                 std::string_view file) {
  if (line.substr(0, kEmDashSpace.size()) != kEmDashSpace) {
    return ErrorAt(file, line_number, 1,
                   "line " + std::to_string(line_number) + " does not start with \"— \"",
                   std::string(kSignatureLineForm));
  }
  const std::string_view rest = line.substr(kEmDashSpace.size());
  const size_t space = rest.find(' ');
  if (space == std::string_view::npos) {
    return ErrorAt(file, line_number, line.size() + 1, "the signature line has no base64 part",
                   std::string(kSignatureLineForm));
  }
  const std::string_view name = rest.substr(0, space);
  if (!IsValidKeyName(name)) {
    return ErrorAt(file, line_number, kEmDashSpace.size() + 1,
                   "invalid key name \"" + std::string(name) + "\"",
                   "a non-empty key name without whitespace or '+'");
  }
  const std::string_view encoded = rest.substr(space + 1);
  const size_t column = kEmDashSpace.size() + space + 2;
  if (const size_t extra = encoded.find(' '); extra != std::string_view::npos) {
    return ErrorAt(file, line_number, column + extra,
                   "the signature line has a third space-separated field",
                   "\"— <name> <base64>\" (a key name cannot contain spaces)");
  }
  std::optional<std::string> payload = DecodeCanonicalBase64(encoded);
  if (!payload) {
    return ErrorAt(file, line_number, column, "the signature is not canonical base64",
                   "standard base64 with padding and nothing after it");
  }
  if (payload->size() < 5) {
    return ErrorAt(file, line_number, column,
                   "the signature payload is " + std::to_string(payload->size()) + " bytes",
                   "a 4-byte key hash followed by a signature");
  }
  return SignedNote::Signature{std::string(name), BigEndian32(*payload), payload->substr(4)};
}

Status CheckEd25519(const PublicKey& key) {
  if (key.algorithm() != KeyAlgorithm::kEd25519) {
    return UnimplementedError("note signatures with " +
                              std::string(KeyAlgorithmName(key.algorithm())) + " keys")
        .Expecting("an Ed25519 key");
  }
  return OkStatus();
}

}  // namespace

std::string Checkpoint::Body() const {
  std::string body = origin + "\n" + std::to_string(size) + "\n" +
                     Base64Encode(std::string_view(reinterpret_cast<const char*>(root.bytes.data()),
                                                   root.bytes.size())) +
                     "\n";
  for (const std::string& line : extra_lines) body += line + "\n";
  return body;
}

Result<SignedNote> ParseSignedNote(std::string_view text, std::string_view file_name) {
  PROBITY_RETURN_IF_ERROR(CheckNoteText(text, file_name, "the note"));
  const std::vector<std::string_view> lines = SplitLines(text);
  size_t body_lines = 0;
  size_t body_bytes = 0;
  while (body_lines < lines.size() && !lines[body_lines].empty()) {
    body_bytes += lines[body_lines].size() + 1;
    ++body_lines;
  }
  if (body_lines == 0) {
    return ErrorAt(file_name, 1, 1, "the note starts with a blank line",
                   "at least one line of text before the blank line");
  }
  if (body_lines == lines.size()) {
    return ErrorAt(file_name, lines.size() + 1, 1, "the note has no blank line",
                   "a blank line after the text, then signature lines");
  }
  const size_t first_signature = body_lines + 1;
  if (first_signature == lines.size()) {
    return ErrorAt(file_name, first_signature + 1, 1, "the note has no signature lines",
                   "at least one signature line after the blank line");
  }
  SignedNote note;
  note.body = std::string(text.substr(0, body_bytes));
  for (size_t i = first_signature; i < lines.size(); ++i) {
    const size_t line_number = i + 1;
    if (lines[i].empty()) {
      return ErrorAt(file_name, line_number, 1, "blank line among the signatures",
                     "exactly one blank line, between the text and the signatures");
    }
    if (note.signatures.size() == kMaxNoteSignatures) {
      return ErrorAt(file_name, line_number, 1,
                     "more than " + std::to_string(kMaxNoteSignatures) + " signatures",
                     "at most " + std::to_string(kMaxNoteSignatures) + " signature lines");
    }
    PROBITY_ASSIGN_OR_RETURN(SignedNote::Signature signature,
                             ParseSignatureLine(lines[i], line_number, file_name));
    note.signatures.push_back(std::move(signature));
  }
  return note;
}

Result<Checkpoint> ParseCheckpointBody(std::string_view body, std::string_view file_name) {
  PROBITY_RETURN_IF_ERROR(CheckNoteText(body, file_name, "the checkpoint"));
  const std::vector<std::string_view> lines = SplitLines(body);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      return ErrorAt(file_name, i + 1, 1, "blank line in the checkpoint",
                     "non-empty lines: origin, tree size, root hash, then optional lines");
    }
  }
  if (lines.size() < 3) {
    static constexpr std::array<std::string_view, 3> kNames = {"origin", "tree size", "root hash"};
    return ErrorAt(file_name, lines.size() + 1, 1,
                   "the checkpoint ends before its " + std::string(kNames[lines.size()]) + " line",
                   "an origin line, a tree size line and a root hash line");
  }
  Checkpoint checkpoint;
  checkpoint.origin = std::string(lines[0]);

  const std::string_view size = lines[1];
  const bool digits =
      std::all_of(size.begin(), size.end(), [](char c) { return c >= '0' && c <= '9'; });
  const bool leading_zero = size.size() > 1 && size[0] == '0';
  uint64_t value = 0;
  bool overflow = false;
  for (char c : size) {
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) overflow = true;
    value = value * 10 + digit;
  }
  if (!digits || leading_zero || overflow) {
    return ErrorAt(file_name, 2, 1, "invalid tree size \"" + std::string(size) + "\"",
                   "a decimal number without sign or leading zeros, below 2^64");
  }
  checkpoint.size = value;

  std::optional<std::string> root = DecodeCanonicalBase64(lines[2]);
  if (!root) {
    return ErrorAt(file_name, 3, 1, "the root hash is not canonical base64",
                   "standard base64 with padding");
  }
  if (root->size() != 32) {
    return ErrorAt(file_name, 3, 1, "the root hash is " + std::to_string(root->size()) + " bytes",
                   "a 32-byte SHA-256 hash");
  }
  std::copy(root->begin(), root->end(), checkpoint.root.bytes.begin());
  for (size_t i = 3; i < lines.size(); ++i) checkpoint.extra_lines.emplace_back(lines[i]);
  return checkpoint;
}

std::string FormatSignedNote(const SignedNote& note) {
  std::string text = note.body + "\n";
  for (const SignedNote::Signature& signature : note.signatures) {
    text += kEmDashSpace;
    text += signature.name + " " +
            Base64Encode(BigEndianBytes(signature.key_hash) + signature.signature) + "\n";
  }
  return text;
}

uint32_t NoteKeyHash(std::string_view name, const PublicKey& key) {
  PROBITY_CHECK(key.algorithm() == KeyAlgorithm::kEd25519);
  return KeyHashOf(name, std::string(1, kAlgEd25519) + key.RawEd25519());
}

std::string NoteVerifierKey(std::string_view name, const PublicKey& key) {
  return std::string(name) + "+" + Hex32(NoteKeyHash(name, key)) + "+" +
         Base64Encode(std::string(1, kAlgEd25519) + key.RawEd25519());
}

Result<std::pair<std::string, PublicKey>> ParseNoteVerifierKey(std::string_view text) {
  const auto malformed = [&](std::string message) {
    return InvalidArgumentError(std::move(message) + " in verifier key \"" + std::string(text) +
                                "\"")
        .Expecting("<name>+<8 lower-case hex key hash>+<base64 of 0x01 and a 32-byte key>");
  };
  const size_t first = text.find('+');
  const size_t second = first == std::string_view::npos ? first : text.find('+', first + 1);
  if (second == std::string_view::npos) return malformed("missing '+' separators");
  const std::string_view name = text.substr(0, first);
  const std::string_view hash_hex = text.substr(first + 1, second - first - 1);
  const std::string_view key_base64 = text.substr(second + 1);
  if (!IsValidKeyName(name)) return malformed("invalid key name");
  std::optional<std::string> hash_bytes = HexDecode(hash_hex);
  if (hash_hex.size() != 8 || !hash_bytes) return malformed("invalid key hash");
  std::optional<std::string> key = DecodeCanonicalBase64(key_base64);
  if (!key || key->empty()) return malformed("invalid base64 key");
  const uint32_t want = KeyHashOf(name, *key);
  if (BigEndian32(*hash_bytes) != want) {
    return malformed("key hash " + std::string(hash_hex) + " does not match the name and key (" +
                     Hex32(want) + ")");
  }
  if ((*key)[0] != kAlgEd25519) {
    return UnimplementedError("verifier key algorithm " +
                              std::to_string(static_cast<uint8_t>((*key)[0])) + " in \"" +
                              std::string(text) + "\"")
        .Expecting("algorithm 1 (Ed25519)");
  }
  if (key->size() != 33) {
    return malformed("an Ed25519 key of " + std::to_string(key->size() - 1) + " bytes");
  }
  PROBITY_ASSIGN_OR_RETURN(PublicKey public_key, PublicKey::FromRawEd25519(key->substr(1)));
  return std::make_pair(std::string(name), std::move(public_key));
}

Result<SignedNote::Signature> SignNoteBody(std::string_view body, std::string_view name,
                                           const Signer& signer) {
  if (!IsValidKeyName(name)) {
    return InvalidArgumentError("invalid note key name \"" + std::string(name) + "\"")
        .Expecting("a non-empty name without whitespace or '+'");
  }
  if (body.empty() || body.back() != '\n') {
    return InvalidArgumentError("a note body must end with a newline");
  }
  PROBITY_RETURN_IF_ERROR(CheckEd25519(signer.public_key()));
  PROBITY_ASSIGN_OR_RETURN(std::string signature, signer.Sign(body));
  if (signature.size() != 64) {
    return InternalError("the Ed25519 signer returned " + std::to_string(signature.size()) +
                         " bytes instead of 64");
  }
  return SignedNote::Signature{std::string(name), NoteKeyHash(name, signer.public_key()),
                               std::move(signature)};
}

Result<std::string> SignNote(const Checkpoint& checkpoint, std::string_view name,
                             const Signer& signer) {
  SignedNote note;
  note.body = checkpoint.Body();
  PROBITY_ASSIGN_OR_RETURN(Checkpoint parsed, ParseCheckpointBody(note.body, "checkpoint"));
  if (!(parsed == checkpoint)) {
    return InvalidArgumentError("a checkpoint line holds a newline")
        .Expecting("single-line origin and extra lines");
  }
  PROBITY_ASSIGN_OR_RETURN(SignedNote::Signature signature, SignNoteBody(note.body, name, signer));
  note.signatures.push_back(std::move(signature));
  return FormatSignedNote(note);
}

std::string_view NoteSignatureStatusName(NoteSignatureStatus status) {
  switch (status) {
    case NoteSignatureStatus::kVerified: return "verified";
    case NoteSignatureStatus::kDuplicateKey: return "duplicate_key";
    case NoteSignatureStatus::kUnknownKey: return "unknown_key";
    case NoteSignatureStatus::kInvalid: return "invalid";
  }
  return "invalid";
}

size_t NoteVerification::Count(NoteSignatureStatus status) const {
  return static_cast<size_t>(std::count(statuses.begin(), statuses.end(), status));
}

NoteVerification VerifyNoteSignatures(const SignedNote& note, std::span<const TrustedKey> trusted) {
  struct Candidate {
    const TrustedKey* key;
    uint32_t hash;
  };
  std::vector<Candidate> candidates;
  for (const TrustedKey& key : trusted) {
    if (key.key.algorithm() != KeyAlgorithm::kEd25519) continue;
    candidates.push_back({&key, NoteKeyHash(key.name, key.key)});
  }
  NoteVerification result;
  for (const SignedNote::Signature& signature : note.signatures) {
    bool known = false;
    const TrustedKey* signer = nullptr;
    for (const Candidate& candidate : candidates) {
      if (candidate.hash != signature.key_hash || candidate.key->name != signature.name) continue;
      known = true;
      if (candidate.key->key.Verify(note.body, signature.signature)) {
        signer = candidate.key;
        break;
      }
    }
    NoteSignatureStatus status = NoteSignatureStatus::kUnknownKey;
    if (signer != nullptr) {
      const std::string& id = signer->key.id();
      auto& ids = result.verified_key_ids;
      if (std::find(ids.begin(), ids.end(), id) != ids.end()) {
        status = NoteSignatureStatus::kDuplicateKey;
      } else {
        status = NoteSignatureStatus::kVerified;
        ids.push_back(id);
      }
    } else if (known) {
      status = NoteSignatureStatus::kInvalid;
    }
    result.statuses.push_back(status);
  }
  return result;
}

}  // namespace probity::lineage
