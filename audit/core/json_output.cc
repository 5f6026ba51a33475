#include "audit/core/json_output.h"

#include <algorithm>
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

std::string EscapeJsonPointerToken(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

Status JsonSyntaxError(std::string_view text, std::string source,
                       const nlohmann::json::parse_error& error) {
  const size_t end = std::min(text.size(), error.byte > 0 ? error.byte - 1 : 0);
  int64_t line = 1, column = 1;
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  std::string what = error.what();
  if (size_t p = what.find("syntax error"); p != std::string::npos) what = what.substr(p);
  return InvalidArgumentError("not valid JSON: " + what).At({std::move(source), line, column});
}

std::string DumpJson(const nlohmann::ordered_json& document) {
  return document.dump(2, ' ', /*ensure_ascii=*/false,
                       nlohmann::ordered_json::error_handler_t::replace) +
         "\n";
}

}  // namespace probity
