// Placeholder: being written (issue 6). Every entry point returns kUnimplemented.
#include "explain/report.h"

#include "audit/core/status.h"

namespace probity::explain {

void AppendAttributionCsv(const Attributions&, bool, std::string*) {}
void AppendInteractionCsv(const Interactions&, int64_t, bool, std::string*) {}
AttributionSummary::AttributionSummary(std::vector<std::string> players,
                                       std::vector<std::string> outputs)
    : players_(std::move(players)), outputs_(std::move(outputs)) {}
void AttributionSummary::Add(const Attributions&, int64_t, const InputFrame*) {}
void AttributionSummary::AddInteractions(const Interactions&) {}
nlohmann::ordered_json AttributionSummary::ToJson() const { return {}; }
std::vector<size_t> AttributionSummary::Ranking(size_t) const { return {}; }
double AttributionSummary::MeanAbs(size_t, size_t) const { return 0; }
nlohmann::ordered_json AttributionsHeaderJson(const Attributions&) { return {}; }
nlohmann::ordered_json AttributionRowsJson(const Attributions&, int64_t) { return {}; }
nlohmann::ordered_json LimeToJson(const LimeResult&, const std::vector<std::string>&) { return {}; }
nlohmann::ordered_json PermutationToJson(const PermutationImportance&) { return {}; }
nlohmann::ordered_json PdpToJson(const std::vector<PdpCurve>&) { return {}; }
nlohmann::ordered_json CounterfactualsToJson(const CounterfactualResult&, const InputFrame&) {
  return {};
}
std::string RenderAttributionSummary(const AttributionSummary&, size_t) { return {}; }
}  // namespace probity::explain
