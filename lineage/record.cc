#include "lineage/record.h"

#include <array>

namespace probity::lineage {
namespace {

constexpr std::array<std::string_view, 9> kNames = {
    "artifact", "execution", "event", "context", "attribution",
    "association", "attestation", "card", "status"};

}  // namespace

std::string_view RecordKindName(RecordKind kind) { return kNames[static_cast<size_t>(kind)]; }

std::optional<RecordKind> ParseRecordKind(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<RecordKind>(i);
  }
  return std::nullopt;
}

std::string WithArticle(std::string_view name) {
  const bool vowel = !name.empty() && std::string_view("aeiou").find(name[0]) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(name);
}

}  // namespace probity::lineage
