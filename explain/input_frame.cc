#include "explain/input_frame.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "audit/core/status.h"

namespace probity::explain {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int64_t kScoreChunkRows = 65536;

std::string ColumnList(const Table& table) {
  std::string list;
  for (size_t c = 0; c < table.num_columns() && c < 12; ++c) {
    list += (c ? ", " : "") + table.schema().field(c).name;
  }
  if (table.num_columns() > 12) list += ", …";
  return list;
}

// Appends the column's cells to frame column j.
void AppendColumn(const Column& column, size_t j, int64_t first_row,
                  std::unordered_map<std::string, int32_t>& index, InputFrame* frame) {
  const size_t width = frame->width();
  if (frame->is_string[j]) {
    std::vector<double> mapped;  // column dictionary code → frame code
    for (const std::string& s : column.dictionary()) {
      auto [it, added] = index.emplace(s, static_cast<int32_t>(frame->dictionaries[j].size()));
      if (added) frame->dictionaries[j].push_back(s);
      mapped.push_back(it->second);
    }
    auto codes = column.codes();
    for (int64_t r = 0; r < column.size(); ++r) {
      const int32_t c = codes[static_cast<size_t>(r)];
      frame->values[static_cast<size_t>(first_row + r) * width + j] =
          (c < 0 || !column.IsValid(r)) ? kNaN : mapped[static_cast<size_t>(c)];
    }
    return;
  }
  for (int64_t r = 0; r < column.size(); ++r) {
    frame->values[static_cast<size_t>(first_row + r) * width + j] = column.NumberAt(r);
  }
}

}  // namespace

std::string InputFrame::Text(size_t j, double value) const {
  if (std::isnan(value)) return "";
  if (is_string[j]) {
    const auto code = static_cast<size_t>(value);
    return code < dictionaries[j].size() ? dictionaries[j][code] : "";
  }
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

Result<InputFrame> ReadInputFrame(const ModelInfo& info, const Table& table,
                                  const std::string& source) {
  InputFrame frame;
  for (const ModelInput& input : info.inputs) {
    auto index = table.schema().IndexOf(input.name);
    if (!index) {
      return InvalidArgumentError(source + ": model input \"" + input.name +
                                  "\" has no column in the data")
          .Expecting("a column named \"" + input.name + "\" (columns: " + ColumnList(table) + ")");
    }
    frame.names.push_back(input.name);
    frame.is_string.push_back(table.column(*index).type() == DataType::kString);
    frame.dictionaries.emplace_back();
  }
  PROBITY_RETURN_IF_ERROR(AppendInputFrame(table, source, &frame));
  return frame;
}

Status AppendInputFrame(const Table& table, const std::string& source, InputFrame* frame) {
  const size_t width = frame->width();
  std::vector<const Column*> columns(width);
  for (size_t j = 0; j < width; ++j) {
    auto index = table.schema().IndexOf(frame->names[j]);
    if (!index) {
      return InvalidArgumentError(source + ": has no column \"" + frame->names[j] + "\"")
          .Expecting("the same columns as the data explained (columns there: " +
                     ColumnList(table) + ")");
    }
    columns[j] = &table.column(*index);
    const bool is_string = columns[j]->type() == DataType::kString;
    if (is_string != frame->is_string[j]) {
      return InvalidArgumentError(source + ": column \"" + frame->names[j] + "\" holds " +
                                  (is_string ? "text" : "numbers"))
          .Expecting(std::string("the column's type in the data explained: ") +
                     (frame->is_string[j] ? "text" : "numbers"));
    }
  }
  const int64_t first = frame->rows;
  frame->rows += table.num_rows();
  frame->values.resize(static_cast<size_t>(frame->rows) * width);
  for (size_t j = 0; j < width; ++j) {
    std::unordered_map<std::string, int32_t> index;
    for (size_t c = 0; c < frame->dictionaries[j].size(); ++c) {
      index.emplace(frame->dictionaries[j][c], static_cast<int32_t>(c));
    }
    AppendColumn(*columns[j], j, first, index, frame);
  }
  return OkStatus();
}

InputFrame EmptyLike(const InputFrame& frame) {
  InputFrame out;
  out.names = frame.names;
  out.is_string = frame.is_string;
  out.dictionaries = frame.dictionaries;
  return out;
}

Table FrameTable(const InputFrame& frame, std::span<const double> values, int64_t rows) {
  const size_t width = frame.width();
  std::vector<Field> fields;
  std::vector<Column> columns;
  for (size_t j = 0; j < width; ++j) {
    Field field;
    field.name = frame.names[j];
    field.type = frame.is_string[j] ? DataType::kString : DataType::kFloat64;
    fields.push_back(field);
    if (frame.is_string[j]) {
      Column column(DataType::kString);
      column.Reserve(rows);
      for (int64_t r = 0; r < rows; ++r) {
        const double v = values[static_cast<size_t>(r) * width + j];
        const auto code = static_cast<size_t>(v);
        if (std::isnan(v) || code >= frame.dictionaries[j].size()) {
          column.AppendNull();
        } else {
          column.AppendString(frame.dictionaries[j][code]);
        }
      }
      columns.push_back(std::move(column));
      continue;
    }
    Buffer<double> data(static_cast<size_t>(rows));
    std::vector<uint64_t> validity((static_cast<size_t>(rows) + 63) / 64, 0);
    int64_t nulls = 0;
    for (int64_t r = 0; r < rows; ++r) {
      const double v = values[static_cast<size_t>(r) * width + j];
      data[static_cast<size_t>(r)] = v;
      if (std::isnan(v)) {
        ++nulls;
      } else {
        validity[static_cast<size_t>(r) >> 6] |= uint64_t{1} << (r & 63);
      }
    }
    columns.push_back(Column::FromFloat64(std::move(data), std::move(validity), nulls));
  }
  return Table(Schema(std::move(fields)), std::move(columns));
}

Result<Buffer<double>> ExplainedOutputs(const Model& model, const Predictions& p,
                                        OutputSpace space) {
  const ModelInfo& info = model.info();
  const auto rows = static_cast<size_t>(p.rows);
  auto pick = [&](const Buffer<double>& source, size_t width,
                  bool last_only) -> Buffer<double> {
    const size_t out_width = last_only ? 1 : width;
    Buffer<double> out(rows * out_width);
    for (size_t r = 0; r < rows; ++r) {
      for (size_t k = 0; k < out_width; ++k) {
        out[r * out_width + k] = source[r * width + (last_only ? width - 1 : k)];
      }
    }
    return out;
  };
  const bool binary = info.task == ModelTask::kClassification && info.classes.size() == 2;
  switch (space) {
    case OutputSpace::kMargin: {
      if (p.margin_width <= 0 || p.margins.size() != rows * static_cast<size_t>(p.margin_width)) {
        return InvalidArgumentError("the " + info.format + " model gives no margin (raw score)")
            .Expecting(info.task == ModelTask::kClassification ? "--output probability"
                                                               : "--output value");
      }
      const auto width = static_cast<size_t>(p.margin_width);
      return pick(p.margins, width, binary && width == 2);
    }
    case OutputSpace::kProbability: {
      if (info.task != ModelTask::kClassification || rows == 0 ||
          p.probabilities.size() != rows * info.classes.size()) {
        if (rows == 0) return Buffer<double>();
        return InvalidArgumentError("the " + info.format + " model gives no class probabilities")
            .Expecting(info.task == ModelTask::kClassification ? "--output margin"
                                                               : "--output value");
      }
      return pick(p.probabilities, info.classes.size(), binary);
    }
    case OutputSpace::kValue: {
      if (info.task != ModelTask::kRegression || (rows > 0 && p.values.empty())) {
        return InvalidArgumentError("the " + info.format + " model is not a regression model")
            .Expecting("--output probability or margin for classifiers");
      }
      return pick(p.values, rows == 0 ? 1 : p.values.size() / rows, false);
    }
  }
  return InvalidArgumentError("unknown output space");
}

Result<Buffer<double>> ScoreRows(const Model& model, const InputFrame& frame,
                                 std::span<const double> values, int64_t rows, OutputSpace space,
                                 int64_t* evaluations) {
  const size_t width = frame.width();
  Buffer<double> out;
  size_t out_width = 0;
  for (int64_t begin = 0; begin < rows; begin += kScoreChunkRows) {
    const int64_t n = std::min(kScoreChunkRows, rows - begin);
    Table batch = FrameTable(frame, values.subspan(static_cast<size_t>(begin) * width), n);
    PROBITY_ASSIGN_OR_RETURN(Predictions p, model.Predict(batch));
    PROBITY_ASSIGN_OR_RETURN(Buffer<double> chunk, ExplainedOutputs(model, p, space));
    if (begin == 0) {
      out_width = n == 0 ? 0 : chunk.size() / static_cast<size_t>(n);
      out.resize(static_cast<size_t>(rows) * out_width);
    }
    std::copy(chunk.begin(), chunk.end(), out.begin() + static_cast<ptrdiff_t>(begin) *
                                                            static_cast<ptrdiff_t>(out_width));
    if (evaluations != nullptr) *evaluations += n;
  }
  return out;
}

uint64_t MixSeed(uint64_t seed, uint64_t stream) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace probity::explain
