// The reading side of probity-model-protocol 1 (docs/formats/external-model.md): the
// version line and answer header of the child's handshake, which give the model's task and
// classes, and the answers to batches, parsed incrementally as the child's output arrives
// so that a large answer never has to be held as text. CSV records are split by the
// ingest tokenizer (RFC 4180); this file only gives them meaning.
//
//   PROBITY_ASSIGN_OR_RETURN(AnswerLayout layout, ParseAnswerLayout(header_fields));
//   AnswerReader reader(layout, rows, line);
//   while (!reader.done()) { pending += Read(); PROBITY_RETURN_IF_ERROR(reader.Consume(&pending));
//   } Predictions predictions = std::move(reader).Finish();
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/core/model.h"
#include "audit/core/result.h"
#include "audit/ingest/internal/csv_tokenizer.h"

namespace probity::models::internal {

// The first line each side writes.
inline constexpr std::string_view kProtocolVersionLine = "probity-model-protocol 1";

// The longest record (or line) accepted from a child: bounds the bytes held while a
// record is incomplete.
inline constexpr size_t kMaxAnswerRecordBytes = size_t{4} << 20;

// OK when `line` (without its line end; a trailing CR is ignored) is the version line.
// kInvalidArgument naming what was found otherwise.
Status CheckVersionLine(std::string_view line);

// The columns of the child's answers, as its handshake declared them.
struct AnswerLayout {
  std::vector<std::string> columns;  // as declared, in order
  size_t prediction = 0;             // index of the `prediction` column
  // Classifiers: the class names from the `probability(<class>)` columns, in header order,
  // and the column index of each. Empty for a regression model.
  std::vector<std::string> classes;
  std::vector<size_t> probability_columns;

  ModelTask task() const {
    return classes.empty() ? ModelTask::kRegression : ModelTask::kClassification;
  }
};

// Reads an answer header: exactly one `prediction` column and any number of
// `probability(<class>)` columns with distinct, non-empty class names, nothing else.
// kInvalidArgument naming the offending column otherwise.
Result<AnswerLayout> ParseAnswerLayout(const std::vector<std::string>& fields);

// Takes complete CSV records off the front of a growing buffer of child output, keeping
// count of lines so that messages can say where a record is.
class CsvRecordReader {
 public:
  using OnRecord = std::function<Status(const std::vector<std::string_view>& fields)>;

  // `first_line`: the 1-based line of the child's output the next byte belongs to.
  explicit CsvRecordReader(int64_t first_line);

  // Calls `on_record` for up to `max_records` complete records at the front of `pending`
  // and erases them (and blank lines) from it; stops at the first error `on_record` returns.
  // Returns the number of records read. kInvalidArgument for a malformed record (an
  // unclosed quote, junk after a closing quote) or an incomplete one longer than
  // kMaxAnswerRecordBytes.
  Result<size_t> Read(std::string* pending, size_t max_records, const OnRecord& on_record);

  // The line of the record being read (valid inside on_record), or of the next one.
  int64_t line() const { return line_; }

 private:
  ingest::internal::CsvDialect dialect_;
  ingest::internal::CsvFields fields_;
  std::vector<std::string_view> record_;
  int64_t line_;
};

// Reads the child's handshake: the version line, then the answer header record (line 2),
// and nothing more.
class HandshakeReader {
 public:
  HandshakeReader() : records_(2) {}

  // Consumes what it can from the front of `pending`. OK while the handshake is incomplete
  // or complete (done()); kInvalidArgument for a wrong version line, a bad header
  // (ParseAnswerLayout), or output after the header.
  Status Consume(std::string* pending);

  bool done() const { return layout_.has_value(); }
  // The line the next output starts on.
  int64_t line() const { return records_.line(); }
  // The declared layout; requires done().
  AnswerLayout Finish() && { return std::move(*layout_); }

 private:
  bool version_seen_ = false;
  CsvRecordReader records_;
  std::optional<AnswerLayout> layout_;
};

// Reads one answer: the header (which must repeat the handshake's) and then exactly `rows`
// records, into Predictions (regression values, or labels and probabilities).
class AnswerReader {
 public:
  // `layout` must outlive the reader.
  AnswerReader(const AnswerLayout& layout, int64_t rows, int64_t first_line);

  // Consumes complete records from the front of `pending`, erasing them. OK when the answer
  // is still incomplete or now complete (done()); when done, bytes left in `pending` other
  // than blank lines are an error (more records than rows). kInvalidArgument, naming the
  // line and column: a header different from the handshake's, a record with the wrong
  // number of fields, a prediction that is not a number (regression) or not one of the
  // classes, a probability that is not a number in [0, 1]. An empty cell is missing.
  Status Consume(std::string* pending);

  bool done() const { return header_seen_ && rows_read_ == rows_; }
  int64_t line() const { return records_.line(); }
  // The predictions read; requires done().
  Predictions Finish() &&;

 private:
  Status ReadRecord(const std::vector<std::string_view>& fields);

  const AnswerLayout& layout_;
  int64_t rows_;
  int64_t rows_read_ = 0;
  bool header_seen_ = false;
  CsvRecordReader records_;
  Predictions predictions_;
};

}  // namespace probity::models::internal
