// libFuzzer target: arbitrary bytes as a PMML document; a document that loads is scored on
// a tiny batch (a number, a category and a missing cell per input).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "audit/core/table.h"
#include "audit/ingest/models/pmml/pmml_model.h"

namespace {

probity::Table TinyBatch(const probity::ModelInfo& info) {
  std::vector<probity::Field> fields;
  std::vector<probity::Column> columns;
  for (const probity::ModelInput& input : info.inputs) {
    if (input.kind == probity::InputKind::kContinuous) {
      probity::Column c(probity::DataType::kFloat64);
      c.AppendFloat64(0);
      c.AppendFloat64(1.5);
      c.AppendNull();
      c.AppendFloat64(-1e300);
      columns.push_back(std::move(c));
      fields.push_back(probity::Field{.name = input.name, .type = probity::DataType::kFloat64});
    } else {
      probity::Column c(probity::DataType::kString);
      c.AppendString(input.categories.empty() ? "a" : input.categories.front());
      c.AppendString(input.categories.empty() ? "1" : input.categories.back());
      c.AppendNull();
      c.AppendString("unseen");
      columns.push_back(std::move(c));
      fields.push_back(probity::Field{.name = input.name, .type = probity::DataType::kString});
    }
  }
  return probity::Table(probity::Schema(std::move(fields)), std::move(columns));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto model = probity::models::LoadPmmlModel(text, "fuzz.pmml");
  if (!model.has_value()) {
    if (model.error().location().file != "fuzz.pmml") {
      std::fprintf(stderr, "unlocated error: %s\n", model.error().ToString().c_str());
      std::abort();
    }
    return 0;
  }
  const probity::ModelInfo& info = (*model)->info();
  if (info.inputs.size() > 1000) return 0;
  auto predictions = (*model)->Predict(TinyBatch(info));
  // A model without inputs gets a batch without columns, hence without rows.
  const int64_t rows = info.inputs.empty() ? 0 : 4;
  if (predictions.has_value() && predictions->rows != rows) std::abort();
  (void)(*model)->tree_view();
  (void)(*model)->linear_view();
  return 0;
}
