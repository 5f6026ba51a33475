// Reads required and optional fields of one JSON document of an imported file, turning a
// missing or mistyped field into a kInvalidArgument located at its line and column and
// naming its JSON pointer (e.g. "/detail/TrainingJobName").
//
//   FieldReader fields(text, "event.json", document, "SageMaker event");
//   PROBITY_ASSIGN_OR_RETURN(std::string name, fields.String("/detail/TrainingJobName"));
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "audit/core/result.h"
#include "lineage/import/json_text.h"

namespace probity::lineage::internal {

class FieldReader {
 public:
  // `what` names the document kind in messages ("SageMaker event", "CloudTrail record").
  // The strings and the document must outlive the reader.
  FieldReader(std::string_view text, std::string_view file, const JsonDocument& document,
              std::string_view what, const nlohmann::json* value = nullptr,
              std::string prefix = "");

  // The value at `pointer`, or nullptr when absent.
  const nlohmann::json* Find(std::string_view pointer) const;
  // A required string / object / array.
  Result<std::string> String(std::string_view pointer) const;
  Result<const nlohmann::json*> Object(std::string_view pointer) const;
  // An optional field: nullopt / nullptr when absent (or null), an error when present with
  // the wrong type.
  Result<std::optional<std::string>> OptionalString(std::string_view pointer) const;
  Result<const nlohmann::json*> OptionalObject(std::string_view pointer) const;
  Result<const nlohmann::json*> OptionalArray(std::string_view pointer) const;
  // An optional time: RFC 3339 text (kept as it is), or epoch milliseconds as a number or a
  // string of digits (converted to RFC 3339 UTC with milliseconds).
  Result<std::optional<std::string>> OptionalTime(std::string_view pointer) const;

  // A kInvalidArgument about the field at `pointer`, located in the file.
  Status Error(std::string_view pointer, std::string message, std::string expected) const;

  // A reader for the element at `pointer` (an object inside this document); pointers given
  // to it are relative to that element.
  FieldReader At(std::string_view pointer, const nlohmann::json& element) const;

 private:
  std::string_view text_;
  std::string_view file_;
  const JsonDocument& document_;
  std::string_view what_;
  const nlohmann::json& value_;
  std::string prefix_;  // the pointer of value_ within the document
};

// Epoch milliseconds → "YYYY-MM-DDTHH:MM:SS.mmmZ"; nullopt outside years 1970..9999.
std::optional<std::string> EpochMillisToRfc3339(double millis);

}  // namespace probity::lineage::internal
