// Placeholder: being written (issue 6). Every entry point returns kUnimplemented.
#include "explain/reasons.h"

#include "audit/core/status.h"

namespace probity::explain {

Result<ReasonCodeTable> ParseReasonCodeTable(std::string_view, const std::string&) {
  return UnimplementedError("not yet built");
}
Result<ReasonReport> SelectReasons(const Attributions&, size_t, std::span<const double>,
                                   std::span<const Attributions>, const ReasonCodeTable&,
                                   const ReasonOptions&) {
  return UnimplementedError("not yet built");
}
nlohmann::ordered_json ReasonsToJson(const ReasonReport&) { return {}; }
Status WriteReasonsCsv(const ReasonReport&, OutputFile&) { return UnimplementedError("not yet built"); }
}  // namespace probity::explain
