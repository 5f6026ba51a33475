// Base64 (RFC 4648) for signatures, hashes and envelopes. Encoding uses the standard
// alphabet with padding. Decoding is strict: it accepts the standard alphabet (§4) and, when
// asked, the URL-safe one (§5), with or without padding, and rejects whitespace, stray
// characters, wrong padding and non-zero trailing bits, so one value has one spelling.
//
//   std::string text = Base64Encode(bytes);
//   std::optional<std::string> back = Base64Decode(text);   // nullopt when malformed
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace probity {

enum class Base64Alphabet {
  kStandard,       // '+' '/'
  kStandardOrUrl,  // also '-' '_' (DSSE verifiers must accept both)
};

std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text,
                                        Base64Alphabet alphabet = Base64Alphabet::kStandard);

// Lower-case hex of bytes, and its strict inverse (even length, [0-9a-f] only).
std::string HexEncode(std::string_view bytes);
std::optional<std::string> HexDecode(std::string_view text);

}  // namespace probity
