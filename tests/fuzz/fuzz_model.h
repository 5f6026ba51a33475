// Shared body of the model-loader fuzz targets: load arbitrary bytes as a model and, when
// they load, score a small batch built from the model's own inputs (values at, around and
// far from typical thresholds, missing cells, unseen categories) and read the tree view.
// A loader must either succeed or fail with a Status; scoring must never crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

#include "audit/core/model.h"
#include "audit/core/table.h"

namespace probity::fuzz {

template <typename Loader>
void FuzzModel(const uint8_t* data, size_t size, Loader load) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto model = load(text);
  if (!model.has_value()) {
    if (model.error().ok()) std::abort();
    return;
  }
  const ModelInfo& info = (*model)->info();
  if (info.inputs.size() > 64) return;  // keep each run small
  const double values[] = {0,     1.5,  -2, std::numeric_limits<double>::quiet_NaN(),
                           1e-40, 1e30, 3,  -0.5};
  std::vector<Field> fields;
  std::vector<Column> columns;
  for (const ModelInput& input : info.inputs) {
    if (input.kind == InputKind::kContinuous) {
      Column c(DataType::kFloat64);
      for (double v : values) c.AppendFloat64(v);
      fields.push_back(Field{.name = input.name, .type = DataType::kFloat64});
      columns.push_back(std::move(c));
    } else {
      Column c(DataType::kString);
      for (size_t i = 0; i < 6; ++i) {
        if (i < input.categories.size())
          c.AppendString(input.categories[i]);
        else
          c.AppendString("unseen");
      }
      c.AppendNull();
      c.AppendString("7");
      fields.push_back(Field{.name = input.name, .type = DataType::kString});
      columns.push_back(std::move(c));
    }
  }
  Schema schema(std::move(fields));
  if (!schema.Validate().ok()) return;  // duplicate input names
  Table batch(std::move(schema), std::move(columns));
  auto predictions = (*model)->Predict(batch);
  if (predictions.has_value() && predictions->rows != batch.num_rows()) std::abort();
  if (const TreeEnsembleView* view = (*model)->tree_view()) {
    for (const TreeView& tree : view->trees) {
      if (tree.nodes.empty()) std::abort();
    }
  }
}

}  // namespace probity::fuzz
