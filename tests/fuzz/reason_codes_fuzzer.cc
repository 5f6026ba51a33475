// libFuzzer target: arbitrary bytes as a reason-code table (explain/reasons.h). Any bytes
// give a table or an error that names the file, never a crash. A table that parses is
// then used by SelectReasons on one row whose players are the table's features (groups as
// one player each), and no reason may name a protected player.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "explain/reasons.h"

namespace {

using probity::explain::Attributions;
using probity::explain::ReasonCodeTable;

// Players: every group, then every feature or protected name that is not a group input.
std::vector<std::string> PlayersOf(const ReasonCodeTable& table) {
  std::set<std::string> inputs;
  std::vector<std::string> players;
  std::set<std::string> seen;
  for (const auto& group : table.groups) {
    inputs.insert(group.inputs.begin(), group.inputs.end());
    if (seen.insert(group.name).second) players.push_back(group.name);
  }
  auto add = [&](const std::string& name) {
    if (!inputs.contains(name) && seen.insert(name).second) players.push_back(name);
  };
  for (const auto& code : table.codes) {
    for (const std::string& f : code.features) add(f);
  }
  for (const std::string& p : table.protected_features) add(p);
  return players;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto table = probity::explain::ParseReasonCodeTable(text, "fuzz.yaml");
  if (!table.has_value()) {
    if (table.error().location().file != "fuzz.yaml") std::abort();
    return 0;
  }
  Attributions a;
  a.players = PlayersOf(*table);
  a.outputs = {"1"};
  a.rows = 1;
  for (size_t p = 0; p < a.players.size(); ++p) {
    a.values.push_back(-static_cast<double>((p * 7919 + size) % 13) + 3);
  }
  const double score = 0.1;
  auto report = probity::explain::SelectReasons(a, 0, std::span<const double>(&score, 1), {},
                                                *table, {.top_k = 1});
  if (!report.has_value()) return 0;
  const std::set<std::string> excluded(report->excluded.begin(), report->excluded.end());
  for (const auto& row : report->rows) {
    for (const auto& reason : row.reasons) {
      if (reason.contribution <= 0) std::abort();
      for (const std::string& player : reason.players) {
        if (excluded.contains(player)) std::abort();
      }
    }
  }
  (void)probity::explain::ReasonsToJson(*report).dump();
  return 0;
}
