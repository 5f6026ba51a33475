// Feature binding: how a loader finds, for each ModelInput, the table column of the same
// name and reads it the way the model expects. Shared by the tree and linear loaders so
// every format reports binding problems the same way: a missing column, a type the model
// cannot read, or an unseen category is an error naming both the column and the model
// input — never a silent zero.
//
//   PROBITY_ASSIGN_OR_RETURN(auto columns, BindColumns(info, batch));
//   PROBITY_ASSIGN_OR_RETURN(auto codes, EncodeCategories(*columns[j], info.inputs[j]));
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit/core/buffer.h"
#include "audit/core/model.h"
#include "audit/core/result.h"
#include "audit/core/table.h"

namespace probity::models {

// The column bound to each of `info.inputs` (same order). kInvalidArgument when an input
// has no column of that name: `model input "age" has no column in the data; expected a
// column named "age" (columns: …)`.
Result<std::vector<const Column*>> BindColumns(const ModelInfo& info, const Table& batch);

// The value of a continuous input per row: numbers as they are, bools as 0/1, NaN for a
// missing cell. A string column whose every value parses as a number is read as numbers;
// any other string is kInvalidArgument naming the column, the row and the value.
Result<Buffer<double>> ReadNumbers(const Column& column, const ModelInput& input);

// The category code (index into input.categories) per row, -1 for a missing cell.
// Numbers are matched by their shortest decimal text ("4", "70", "2.5"). A value that is
// not one of the categories is kInvalidArgument naming the column, the row and the value,
// unless `unseen_as_missing` (for formats whose rules send unseen categories down the
// missing branch), in which case it becomes -1.
Result<std::vector<int32_t>> EncodeCategories(const Column& column, const ModelInput& input,
                                              bool unseen_as_missing = false);

// Every input as a double column the way a model computes with it: continuous inputs as
// numbers (NaN = missing), categorical inputs with declared categories as their code (NaN =
// missing; an unseen category is an error), categorical inputs without declared categories
// as numbers (formats that record codes only).
Result<std::vector<Buffer<double>>> ReadInputColumns(const ModelInfo& info, const Table& batch);

// The same values row-major (rows × inputs), as Model::ViewInputs returns them.
Buffer<double> ToRowMajor(const std::vector<Buffer<double>>& columns, int64_t rows);

// Column types to read a dataset with for this model (DatasetSpec::type_hints): its
// categorical and ordinal inputs as strings, so "08" or "4" keep the text the model's
// categories use. Other columns keep their inferred types.
std::map<std::string, DataType, std::less<>> InputTypeHints(const ModelInfo& info);

// The cell as text for category matching: strings as stored, integers in decimal, floats
// in shortest round-trip form without a trailing ".0", bools as "true"/"false"; empty
// for a missing cell.
std::string CellText(const Column& column, int64_t row);

}  // namespace probity::models
