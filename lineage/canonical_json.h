// Canonical JSON (RFC 8785, the JSON Canonicalization Scheme): the one byte string Probity
// hashes and signs for a JSON value. Records, log leaves and attestation payloads are all
// written this way, so two runs over the same data produce byte-identical, verifiable bytes.
// ParseStrictJson is the matching reader for anything that was signed or is about to be
// verified: it refuses what an ordinary parser lets through (duplicate keys, a BOM, trailing
// bytes, absurd nesting).
//
//   PROBITY_ASSIGN_OR_RETURN(nlohmann::json value, ParseStrictJson(text, "record.json"));
//   PROBITY_ASSIGN_OR_RETURN(std::string bytes, CanonicalJson(value));
//   // {"a":1,"b":[true,"\u000f"]}: members sorted, no whitespace, minimal escapes
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "audit/core/result.h"

namespace probity::lineage {

// ParseStrictJson refuses texts longer than this (64 MiB) before reading them.
inline constexpr size_t kMaxStrictJsonBytes = size_t{64} << 20;
// ... and arrays or objects nested deeper than this; CanonicalJson refuses the same.
inline constexpr int kMaxJsonDepth = 512;

// The RFC 8785 serialization of `value`:
// - objects: members sorted by the UTF-16 code units of their names (RFC 8785 §3.2.3; this
//   differs from UTF-8 byte order for names with characters above U+FFFF), no whitespace;
// - strings: raw UTF-8, escaping only '"', '\\', \b \f \n \r \t and, as \u00xx with
//   lower-case hex, the other control characters below U+0020;
// - numbers: as ECMAScript's Number.prototype.toString writes the IEEE double (shortest
//   round-trip digits; exponent form "1e+21" / "1e-7" when the decimal exponent is >= 21 or
//   <= -7; -0 is "0"). Integers held as int64/uint64 print as plain integers.
// Errors (kInvalidArgument, the message names the JSON pointer of the offending value):
// NaN or infinity; an integer whose magnitude exceeds 2^53, which no IEEE double (the only
// number type of RFC 8785) represents exactly — put such values in strings; a string or
// member name that is not valid UTF-8; binary values; nesting deeper than kMaxJsonDepth.
// Linear in the size of the output plus the sorting of member names. Thread-safe.
Result<std::string> CanonicalJson(const nlohmann::json& value);

// Appends `utf8` as an RFC 8785 string literal (with its quotes), for callers that write
// canonical JSON by hand on hot paths. `utf8` must be valid UTF-8 (IsValidUtf8); any byte that
// is not part of a valid sequence is written as U+FFFD so the output stays valid JSON.
void AppendCanonicalString(std::string& out, std::string_view utf8);

// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Parses one JSON text (RFC 8259) for signing or verification. Refuses, with
// kInvalidArgument located at `origin`:line:column and saying what was expected: texts
// larger than kMaxStrictJsonBytes, a byte-order mark, invalid UTF-8, lone surrogate escapes,
// duplicate member names in one object, nesting deeper than kMaxJsonDepth, numbers that
// overflow a double, an integer literal beyond 2^53 in magnitude that no double equals (e.g.
// 9007199254740993), and anything after the value but whitespace. Integer literals beyond
// 2^53 that a double does represent (e.g. 1e+21 written as digits) are kept as doubles, so
// parsing canonical output always gives back the same value.
Result<nlohmann::json> ParseStrictJson(std::string_view text, std::string_view origin);

// ParseStrictJson followed by CanonicalJson.
Result<std::string> Canonicalize(std::string_view json_text, std::string_view origin);

}  // namespace probity::lineage
