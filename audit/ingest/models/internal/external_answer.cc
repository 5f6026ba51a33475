#include "audit/ingest/models/internal/external_answer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "audit/ingest/internal/text_values.h"

namespace probity::models::internal {
namespace {

using ingest::internal::CountLineEnds;
using ingest::internal::DescribeRowError;
using ingest::internal::FindLastRowEnd;
using ingest::internal::NumberParse;
using ingest::internal::ParseFloat64;
using ingest::internal::TokenizeCsv;

constexpr std::string_view kProbabilityPrefix = "probability(";

std::string Quoted(std::string_view text) {
  constexpr size_t kShown = 200;
  if (text.size() > kShown) return "\"" + std::string(text.substr(0, kShown)) + "…\"";
  return std::string("\"").append(text).append("\"");
}

std::string JoinFields(const std::vector<std::string>& fields) {
  std::string out;
  for (const std::string& f : fields) out += (out.empty() ? "" : ",") + f;
  return out;
}

Status LineError(int64_t line, std::string message) {
  return InvalidArgumentError("line " + std::to_string(line) +
                              " of its output: " + std::move(message));
}

}  // namespace

Status CheckVersionLine(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line == kProtocolVersionLine) return OkStatus();
  return LineError(1, "the version line is " + Quoted(line))
      .Expecting("\"" + std::string(kProtocolVersionLine) + "\"");
}

Result<AnswerLayout> ParseAnswerLayout(const std::vector<std::string>& fields) {
  AnswerLayout layout;
  layout.columns = fields;
  bool has_prediction = false;
  const std::string expected = "the columns prediction and probability(<class>) for each class";
  for (size_t i = 0; i < fields.size(); ++i) {
    std::string_view name = fields[i];
    if (name == "prediction") {
      if (has_prediction) {
        return InvalidArgumentError("the answer header names \"prediction\" twice")
            .Expecting(expected);
      }
      has_prediction = true;
      layout.prediction = i;
    } else if (name.size() > kProbabilityPrefix.size() + 1 &&
               name.starts_with(kProbabilityPrefix) && name.back() == ')') {
      std::string label(
          name.substr(kProbabilityPrefix.size(), name.size() - kProbabilityPrefix.size() - 1));
      if (std::find(layout.classes.begin(), layout.classes.end(), label) != layout.classes.end()) {
        return InvalidArgumentError("the answer header names class " + Quoted(label) + " twice")
            .Expecting(expected);
      }
      layout.classes.push_back(std::move(label));
      layout.probability_columns.push_back(i);
    } else {
      return InvalidArgumentError("the answer header has a column " + Quoted(name))
          .Expecting(expected);
    }
  }
  if (!has_prediction) {
    return InvalidArgumentError("the answer header " + Quoted(JoinFields(fields)) +
                                " has no \"prediction\" column")
        .Expecting(expected);
  }
  return layout;
}

CsvRecordReader::CsvRecordReader(int64_t first_line) : line_(first_line) {}

Result<size_t> CsvRecordReader::Read(std::string* pending, size_t max_records,
                                     const OnRecord& on_record) {
  if (max_records == 0) return size_t{0};
  // What is left after reading fewer records than wanted is one incomplete record.
  auto check_rest = [&](size_t records) -> Result<size_t> {
    if (records < max_records && pending->size() > kMaxAnswerRecordBytes) {
      return LineError(line_, "a record runs past " + std::to_string(kMaxAnswerRecordBytes >> 20) +
                                  " MiB without a line end")
          .Expecting("records ending in a line feed");
    }
    return records;
  };
  const size_t end = FindLastRowEnd(*pending, dialect_);
  if (end == std::string::npos) return check_rest(0);
  // The tokenizer unescapes quoted fields in place; line numbers come from the original.
  const std::string original = pending->substr(0, end);
  const size_t consumed = TokenizeCsv(pending->data(), end, dialect_, &fields_, max_records);
  const std::string_view text(original);
  const int64_t first_line = line_;
  size_t error_index = 0;
  size_t position = 0;
  size_t records = 0;
  for (size_t row = 0; row < fields_.rows(); ++row) {
    const size_t offset = fields_.row_offset[row];
    line_ += CountLineEnds(text.substr(position, offset - position));
    position = offset;
    if (error_index < fields_.errors.size() && fields_.errors[error_index].row == row) {
      Status error = DescribeRowError(fields_.errors[error_index], dialect_, text, "", first_line);
      return LineError(error.location().line, error.message()).Expecting(error.expected());
    }
    record_.clear();
    for (size_t k = 0; k < fields_.field_count(row); ++k) {
      record_.push_back(fields_.field(*pending, row, k));
    }
    PROBITY_RETURN_IF_ERROR(on_record(record_));
    ++records;
  }
  line_ = first_line + CountLineEnds(text.substr(0, consumed));
  pending->erase(0, consumed);
  return check_rest(records);
}

Status HandshakeReader::Consume(std::string* pending) {
  if (!version_seen_) {
    const size_t eol = pending->find('\n');
    if (eol == std::string::npos) {
      // Refuse as soon as the line cannot become the version line, so that a child that
      // writes something else and waits is not waited for.
      std::string_view head = *pending;
      if (!head.empty() && head.back() == '\r') head.remove_suffix(1);
      if (!kProtocolVersionLine.starts_with(head)) return CheckVersionLine(*pending);
      return OkStatus();
    }
    PROBITY_RETURN_IF_ERROR(CheckVersionLine(std::string_view(*pending).substr(0, eol)));
    pending->erase(0, eol + 1);
    version_seen_ = true;
  }
  if (!layout_) {
    PROBITY_ASSIGN_OR_RETURN(
        size_t read, records_.Read(pending, 1, [&](const std::vector<std::string_view>& fields) {
          PROBITY_ASSIGN_OR_RETURN(layout_, ParseAnswerLayout({fields.begin(), fields.end()}));
          return OkStatus();
        }));
    (void)read;
  }
  if (layout_ && pending->find_first_not_of(" \t\r\n") != std::string::npos) {
    return LineError(records_.line(), "the handshake goes on after the header")
        .Expecting("nothing more until the first batch");
  }
  return OkStatus();
}

AnswerReader::AnswerReader(const AnswerLayout& layout, int64_t rows, int64_t first_line)
    : layout_(layout), rows_(rows), records_(first_line) {
  const auto n = static_cast<size_t>(rows);
  if (layout_.classes.empty()) {
    predictions_.values.reserve(n);
  } else {
    predictions_.labels.reserve(n);
    predictions_.probabilities.reserve(n * layout_.classes.size());
  }
}

Status AnswerReader::ReadRecord(const std::vector<std::string_view>& fields) {
  if (!header_seen_) {
    header_seen_ = true;
    if (fields.size() == layout_.columns.size() &&
        std::equal(fields.begin(), fields.end(), layout_.columns.begin())) {
      return OkStatus();
    }
    std::vector<std::string> found(fields.begin(), fields.end());
    return LineError(records_.line(), "the answer header is " + Quoted(JoinFields(found)))
        .Expecting("the header of the handshake, " + Quoted(JoinFields(layout_.columns)));
  }
  const int64_t row = rows_read_ + 1;
  auto where = [&](size_t column) {
    return "row " + std::to_string(row) + " of the answer, column \"" + layout_.columns[column] +
           "\"";
  };
  if (fields.size() != layout_.columns.size()) {
    return LineError(records_.line(), "row " + std::to_string(row) + " of the answer has " +
                                          std::to_string(fields.size()) + " fields")
        .Expecting(std::to_string(layout_.columns.size()) + " fields, as in the header " +
                   Quoted(JoinFields(layout_.columns)));
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::string_view prediction = fields[layout_.prediction];
  if (layout_.classes.empty()) {
    double value = nan;
    if (!prediction.empty() && ParseFloat64(prediction, &value) != NumberParse::kOk) {
      return LineError(records_.line(), where(layout_.prediction) + " holds " + Quoted(prediction))
          .Expecting("a number, or an empty field for a missing prediction");
    }
    predictions_.values.push_back(value);
  } else {
    int32_t label = -1;
    if (!prediction.empty()) {
      auto it = std::find(layout_.classes.begin(), layout_.classes.end(), prediction);
      if (it == layout_.classes.end()) {
        return LineError(records_.line(), where(layout_.prediction) + " holds " +
                                              Quoted(prediction) +
                                              ", which is not one of the classes")
            .Expecting("one of the classes in the header's probability(<class>) columns");
      }
      label = static_cast<int32_t>(it - layout_.classes.begin());
    }
    predictions_.labels.push_back(label);
    for (size_t column : layout_.probability_columns) {
      double p = nan;
      const std::string_view cell = fields[column];
      if (!cell.empty() && (ParseFloat64(cell, &p) != NumberParse::kOk || p < 0 || p > 1)) {
        return LineError(records_.line(), where(column) + " holds " + Quoted(cell))
            .Expecting("a probability between 0 and 1, or an empty field for a missing one");
      }
      predictions_.probabilities.push_back(p);
    }
  }
  ++rows_read_;
  return OkStatus();
}

Status AnswerReader::Consume(std::string* pending) {
  if (!done()) {
    const auto wanted = static_cast<size_t>(rows_ - rows_read_) + (header_seen_ ? 0 : 1);
    PROBITY_ASSIGN_OR_RETURN(
        size_t records,
        records_.Read(pending, wanted, [this](const auto& fields) { return ReadRecord(fields); }));
    (void)records;
  }
  if (done() && pending->find_first_not_of(" \t\r\n") != std::string::npos) {
    return LineError(records_.line(),
                     "the answer goes on after its " + std::to_string(rows_) + " rows")
        .Expecting("exactly " + std::to_string(rows_) + " rows, as announced by \"batch " +
                   std::to_string(rows_) + "\"");
  }
  return OkStatus();
}

Predictions AnswerReader::Finish() && {
  predictions_.rows = rows_;
  return std::move(predictions_);
}

}  // namespace probity::models::internal
