// The trusted-keys file an auditor passes to `probity verify --trusted-keys FILE`
// (docs/formats/trusted-keys.md). Keys for verification come only from such files, never
// from the workspace being verified. Each entry is a PEM public key or a signed-note verifier
// key (name+hash+base64), optionally preceded by attribute lines that apply to it:
//
//   # the agency's pipeline key
//   name: pipeline
//   not-before: 2026-01-01T00:00:00Z
//   not-after: 2027-12-31T23:59:59Z
//   -----BEGIN PUBLIC KEY-----
//   MCowBQYDK2VwAyEA…
//   -----END PUBLIC KEY-----
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "audit/core/result.h"
#include "lineage/keys.h"

namespace probity::lineage {

// Parses the text of a trusted-keys file; errors name `origin` and the line.
Result<std::vector<TrustedKey>> ParseTrustedKeys(std::string_view text, std::string_view origin);
// Reads and parses a file; kFailedPrecondition when it does not exist (exit 4).
Result<std::vector<TrustedKey>> LoadTrustedKeys(const std::string& path);
// One entry in that format (name line + PEM), as `probity key export` prints it.
std::string FormatTrustedKey(const std::string& name, const PublicKey& key);

}  // namespace probity::lineage
