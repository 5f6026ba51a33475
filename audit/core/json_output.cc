#include "audit/core/json_output.h"

#include <cmath>

#include "audit/core/version.h"

namespace probity {

nlohmann::ordered_json MachineDocument(std::string_view schema) {
  nlohmann::ordered_json doc = nlohmann::ordered_json::object();
  doc["schema"] = std::string(schema);
  doc["probity_version"] = PROBITY_VERSION;
  return doc;
}

nlohmann::ordered_json JsonNumber(double value) {
  if (std::isnan(value)) return nullptr;
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return value;
}

void SetUndefined(nlohmann::ordered_json& object, const std::string& key, std::string_view reason) {
  object[key] = nullptr;
  object[key + "_reason"] = std::string(reason);
}

std::string DumpJson(const nlohmann::ordered_json& document) {
  return document.dump(2, ' ', /*ensure_ascii=*/false,
                       nlohmann::ordered_json::error_handler_t::replace) +
         "\n";
}

}  // namespace probity
