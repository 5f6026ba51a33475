#include "lineage/import/internal/field_reader.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "lineage/import/json_schema.h"

namespace probity::lineage::internal {

using nlohmann::json;

FieldReader::FieldReader(std::string_view text, std::string_view file, const JsonDocument& document,
                         std::string_view what, const json* value, std::string prefix)
    : text_(text),
      file_(file),
      document_(document),
      what_(what),
      value_(value ? *value : document.value),
      prefix_(std::move(prefix)) {}

const json* FieldReader::Find(std::string_view pointer) const {
  const json* node = &value_;
  size_t start = 1;
  while (start <= pointer.size() && !pointer.empty()) {
    size_t end = pointer.find('/', start);
    std::string key(pointer.substr(start, end == std::string_view::npos ? end : end - start));
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return node->is_null() ? nullptr : node;
}

Status FieldReader::Error(std::string_view pointer, std::string message,
                          std::string expected) const {
  std::string full = prefix_ + std::string(pointer);
  return InvalidArgumentError(std::string(what_) + ": " + full + " " + std::move(message))
      .At(LocateInText(text_, file_, document_, full))
      .Expecting(std::move(expected));
}

Result<std::string> FieldReader::String(std::string_view pointer) const {
  const json* node = Find(pointer);
  if (node == nullptr) return Error(pointer, "is missing", "a string");
  if (!node->is_string()) {
    return Error(pointer, std::string("is a ") + node->type_name(), "a string");
  }
  return node->get<std::string>();
}

Result<const json*> FieldReader::Object(std::string_view pointer) const {
  const json* node = Find(pointer);
  if (node == nullptr) return Error(pointer, "is missing", "an object");
  if (!node->is_object()) {
    return Error(pointer, std::string("is a ") + node->type_name(), "an object");
  }
  return node;
}

Result<std::optional<std::string>> FieldReader::OptionalString(std::string_view pointer) const {
  const json* node = Find(pointer);
  if (node == nullptr) return std::optional<std::string>();
  if (!node->is_string()) {
    return Error(pointer, std::string("is a ") + node->type_name(), "a string");
  }
  return std::optional<std::string>(node->get<std::string>());
}

Result<const json*> FieldReader::OptionalObject(std::string_view pointer) const {
  const json* node = Find(pointer);
  if (node != nullptr && !node->is_object()) {
    return Error(pointer, std::string("is a ") + node->type_name(), "an object");
  }
  return node;
}

Result<const json*> FieldReader::OptionalArray(std::string_view pointer) const {
  const json* node = Find(pointer);
  if (node != nullptr && !node->is_array()) {
    return Error(pointer, std::string("is a ") + node->type_name(), "an array");
  }
  return node;
}

Result<std::optional<std::string>> FieldReader::OptionalTime(std::string_view pointer) const {
  const json* node = Find(pointer);
  if (node == nullptr) return std::optional<std::string>();
  constexpr char kExpected[] = "an RFC 3339 date-time or epoch milliseconds";
  std::optional<std::string> converted;
  if (node->is_number()) {
    converted = EpochMillisToRfc3339(node->get<double>());
  } else if (node->is_string()) {
    const auto& text = node->get_ref<const std::string&>();
    if (IsRfc3339DateTime(text)) return std::optional<std::string>(text);
    if (!text.empty() && text.size() <= 15 &&
        text.find_first_not_of("0123456789") == std::string::npos) {
      converted = EpochMillisToRfc3339(std::stod(text));
    }
  }
  if (!converted) return Error(pointer, "is not a time", kExpected);
  return converted;
}

FieldReader FieldReader::At(std::string_view pointer, const json& element) const {
  return FieldReader(text_, file_, document_, what_, &element, prefix_ + std::string(pointer));
}

std::optional<std::string> EpochMillisToRfc3339(double millis) {
  if (!std::isfinite(millis) || millis < 0 || millis > 253402300799999.0) return std::nullopt;
  auto total = static_cast<int64_t>(millis);
  std::chrono::sys_days day{std::chrono::days(total / 86'400'000)};
  std::chrono::year_month_day date(day);
  int64_t in_day = total % 86'400'000;
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(in_day / 3'600'000),
                static_cast<int>(in_day / 60'000 % 60), static_cast<int>(in_day / 1000 % 60),
                static_cast<int>(in_day % 1000));
  return std::string(buffer);
}

}  // namespace probity::lineage::internal
