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

}  // namespace probity::lineage
