// Helpers for model conformance tests: read a case's input the way `probity predict` does,
// read its expected-output CSV, and compare numbers with a relative tolerance.
#pragma once

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "audit/core/file_system.h"
#include "audit/core/model.h"
#include "audit/ingest/dataset_reader.h"
#include "audit/ingest/models/feature_binding.h"
#include "audit/ingest/models/model_loader.h"

namespace probity::testing {

// The model's categorical inputs as strings, everything else as inferred.
inline Result<Table> ReadModelInput(const std::string& path, const ModelInfo& info) {
  ingest::DatasetSpec spec;
  spec.type_hints = models::InputTypeHints(info);
  ingest::ScanOptions options;
  options.threads = 2;
  return ingest::ReadTable(LocalFileSystem(), path, spec, options);
}

// Every column of an expected-output CSV read as text (an empty cell is missing).
inline Result<Table> ReadExpected(const std::string& path) {
  ingest::DatasetSpec spec;
  ingest::ScanOptions options;
  options.threads = 1;
  PROBITY_ASSIGN_OR_RETURN(auto reader,
                           ingest::DatasetReader::Open(LocalFileSystem(), path, spec, options));
  for (const Field& f : reader->schema().fields()) spec.type_hints[f.name] = DataType::kString;
  return ingest::ReadTable(LocalFileSystem(), path, spec, options);
}

// |actual − expected| ≤ tolerance · max(1, |expected|); NaN only matches NaN.
inline bool NumbersAgree(double expected, double actual, double tolerance) {
  if (std::isnan(expected) || std::isnan(actual)) return std::isnan(expected) && std::isnan(actual);
  return std::fabs(actual - expected) <= tolerance * std::max(1.0, std::fabs(expected));
}

inline double ParseNumber(std::string_view text) {
  double v = std::nan("");
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

// Loads a model fixture; a failure is a test failure (and nullptr).
inline std::unique_ptr<Model> LoadModelOrFail(const std::string& path, int iteration_limit = 0) {
  models::ModelLoadOptions options;
  options.iteration_limit = iteration_limit;
  auto model = models::LoadModel(LocalFileSystem(), path, options);
  EXPECT_TRUE(model.has_value()) << model.error().ToString();
  return model.has_value() ? std::move(model).value() : nullptr;
}

// The error loading a fixture that must not load (OK, and a test failure, if it loads).
inline Status LoadModelError(const std::string& path) {
  auto model = models::LoadModel(LocalFileSystem(), path);
  EXPECT_FALSE(model.has_value()) << path << " loaded";
  return model.has_value() ? OkStatus() : model.error();
}

// A float64 column; NaN cells are missing.
inline Column NumberColumn(const std::vector<double>& values) {
  Column c(DataType::kFloat64);
  for (double v : values) {
    if (std::isnan(v)) {
      c.AppendNull();
    } else {
      c.AppendFloat64(v);
    }
  }
  return c;
}

// A string column; empty cells are missing.
inline Column StringColumn(const std::vector<std::string>& values) {
  Column c(DataType::kString);
  for (const std::string& v : values) {
    if (v.empty()) {
      c.AppendNull();
    } else {
      c.AppendString(v);
    }
  }
  return c;
}

// A table of named columns (types from the columns).
inline Table MakeTable(std::vector<std::pair<std::string, Column>> columns) {
  std::vector<Field> fields;
  std::vector<Column> data;
  for (auto& [name, column] : columns) {
    fields.push_back(Field{.name = name, .type = column.type()});
    data.push_back(std::move(column));
  }
  return Table(Schema(std::move(fields)), std::move(data));
}

}  // namespace probity::testing
