#include "lineage/trusted_keys.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "lineage/checkpoint.h"

namespace probity::lineage {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

Result<TimePoint> ParseTime(std::string_view text, const InputLocation& where) {
  Result<TimePoint> t = ParseRfc3339(text);
  if (!t.ok()) return Status(t.status()).At(where);
  return t;
}

}  // namespace

Result<std::vector<TrustedKey>> ParseTrustedKeys(std::string_view text, std::string_view origin) {
  std::vector<TrustedKey> keys;
  TrustedKey pending{"", PublicKey(), std::nullopt, std::nullopt};
  bool has_attributes = false;
  std::string pem;
  int64_t pem_start = 0;
  int64_t line_number = 0;
  int64_t first_attribute_line = 0;
  auto add = [&](PublicKey key, std::string name) {
    pending.key = std::move(key);
    pending.name = !pending.name.empty() ? pending.name : !name.empty() ? name : pending.key.id();
    keys.push_back(std::move(pending));
    pending = TrustedKey{"", PublicKey(), std::nullopt, std::nullopt};
    has_attributes = false;
  };
  size_t position = 0;
  while (position <= text.size()) {
    const size_t end = std::min(text.find('\n', position), text.size());
    const std::string_view line = Trim(text.substr(position, end - position));
    position = end + 1;
    ++line_number;
    const InputLocation where{std::string(origin), line_number, 1};
    if (!pem.empty()) {
      pem.append(line).append("\n");
      if (line.starts_with("-----END")) {
        Result<PublicKey> key = PublicKey::FromPem(pem, origin);
        if (!key.ok()) return Status(key.status()).At({std::string(origin), pem_start, 1});
        add(std::move(*key), "");
        pem.clear();
      }
      continue;
    }
    if (line.empty() || line.starts_with("#")) continue;
    if (line.starts_with("-----BEGIN")) {
      if (line != "-----BEGIN PUBLIC KEY-----") {
        return InvalidArgumentError("a \"" + std::string(line) + "\" block in a trusted-keys file")
            .At(where)
            .Expecting("public keys only (-----BEGIN PUBLIC KEY-----); never a private key");
      }
      pem.assign(line).append("\n");
      pem_start = line_number;
      continue;
    }
    const size_t colon = line.find(':');
    const std::string_view key =
        colon == std::string_view::npos ? std::string_view() : Trim(line.substr(0, colon));
    if (key == "name" || key == "not-before" || key == "not-after") {
      const std::string_view value = Trim(line.substr(colon + 1));
      if (key == "name") {
        pending.name = std::string(value);
      } else if (key == "not-before") {
        PROBITY_ASSIGN_OR_RETURN(pending.not_before, ParseTime(value, where));
      } else {
        PROBITY_ASSIGN_OR_RETURN(pending.not_after, ParseTime(value, where));
      }
      if (!has_attributes) first_attribute_line = line_number;
      has_attributes = true;
      continue;
    }
    if (colon != std::string_view::npos && key.find('+') == std::string_view::npos &&
        key.find(' ') == std::string_view::npos) {
      return InvalidArgumentError("unknown attribute \"" + std::string(key) + "\"")
          .At(where)
          .Expecting("name, not-before or not-after");
    }
    Result<std::pair<std::string, PublicKey>> note_key = ParseNoteVerifierKey(line);
    if (!note_key.ok()) {
      return InvalidArgumentError("cannot read this line as a key")
          .At(where)
          .Expecting("a PEM public key block, a note verifier key (name+hash+base64), or an "
                     "attribute line (name:, not-before:, not-after:)");
    }
    add(std::move(note_key->second), note_key->first);
  }
  if (!pem.empty()) {
    return InvalidArgumentError("the PEM block is not closed")
        .At({std::string(origin), pem_start, 1})
        .Expecting("-----END PUBLIC KEY-----");
  }
  if (has_attributes) {
    return InvalidArgumentError("attribute lines at the end of the file apply to no key")
        .At({std::string(origin), first_attribute_line, 1})
        .Expecting("a key after its attribute lines");
  }
  if (keys.empty()) {
    return InvalidArgumentError("the trusted-keys file has no key")
        .At({std::string(origin)})
        .Expecting("at least one PEM public key or note verifier key");
  }
  return keys;
}

Result<std::vector<TrustedKey>> LoadTrustedKeys(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return FailedPreconditionError("the trusted-keys file does not exist")
        .At({path})
        .Expecting("a file of public keys (probity key export > keys.pem)");
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().size() > (1 << 20)) {
    return InvalidArgumentError("the trusted-keys file is larger than 1 MiB").At({path});
  }
  return ParseTrustedKeys(text.str(), path);
}

std::string FormatTrustedKey(const std::string& name, const PublicKey& key) {
  return "name: " + name + "\n" + key.ToPem();
}

}  // namespace probity::lineage
