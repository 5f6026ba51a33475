// libFuzzer target: arbitrary bytes as an XGBoost model (JSON, or UBJSON when the input
// starts with '{' followed by a UBJSON length marker), then a prediction on a few rows.
#include <cmath>
#include <cstdlib>
#include <string>

#include "audit/ingest/models/xgboost_model.h"

namespace {

probity::Table SmallBatch(const probity::ModelInfo& info) {
  std::vector<probity::Field> fields;
  std::vector<probity::Column> columns;
  for (const probity::ModelInput& input : info.inputs) {
    probity::Column column(probity::DataType::kFloat64);
    for (double v : {0.0, -1.5, 2.0}) column.AppendFloat64(v);
    column.AppendNull();
    fields.push_back(probity::Field{.name = input.name, .type = probity::DataType::kFloat64});
    columns.push_back(std::move(column));
  }
  return probity::Table(probity::Schema(std::move(fields)), std::move(columns));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const bool ubjson = size > 1 && data[0] == '{' && data[1] != '"' && data[1] != ' ' &&
                      data[1] != '\n';
  auto model = ubjson ? probity::models::LoadXGBoostUbjsonModel(bytes, "fuzz.ubj", {})
                      : probity::models::LoadXGBoostJsonModel(bytes, "fuzz.json", {});
  if (!model.has_value()) return 0;
  if ((*model)->info().inputs.size() > 64) return 0;  // keep each run cheap
  auto predictions = (*model)->Predict(SmallBatch((*model)->info()));
  (void)predictions;
  return 0;
}
