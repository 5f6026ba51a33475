#include "audit/ingest/dataset_reader.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "audit/ingest/internal/csv_sniffer.h"
#include "audit/ingest/internal/text_values.h"
#include "audit/ingest/type_inference.h"

namespace probity::ingest {
namespace {

// A JSON value as text, for the same conversion rules as a CSV field.
struct FieldValue {
  std::string_view text;
  bool is_null = false;
};

constexpr size_t kSniffRows = 100;

// Text of a scalar JSON value as a CSV field would hold it; false for nested values.
bool JsonScalarText(const nlohmann::ordered_json& v, std::string* out, bool* is_null) {
  *is_null = false;
  switch (v.type()) {
    case nlohmann::ordered_json::value_t::null:
      *is_null = true;
      out->clear();
      return true;
    case nlohmann::ordered_json::value_t::string:
      *out = v.get_ref<const std::string&>();
      return true;
    case nlohmann::ordered_json::value_t::boolean:
      *out = v.get<bool>() ? "true" : "false";
      return true;
    case nlohmann::ordered_json::value_t::number_integer:
    case nlohmann::ordered_json::value_t::number_unsigned:
    case nlohmann::ordered_json::value_t::number_float: *out = v.dump(); return true;
    default: return false;
  }
}

// Splits `text` into lines (without their line ends), calling fn(line, line_number).
template <typename Fn>
Status ForEachLine(std::string_view text, int64_t first_line, Fn&& fn) {
  int64_t line = first_line;
  while (!text.empty()) {
    size_t lf = text.find('\n');
    std::string_view row = text.substr(0, lf);
    if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
    PROBITY_RETURN_IF_ERROR(fn(row, line));
    if (lf == std::string_view::npos) break;
    text.remove_prefix(lf + 1);
    ++line;
  }
  return OkStatus();
}

bool IsBlank(std::string_view line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t'; });
}

}  // namespace

DatasetReader::~DatasetReader() = default;

Result<std::unique_ptr<DatasetReader>> DatasetReader::Open(FileSystem& fs, const std::string& path,
                                                           const DatasetSpec& spec,
                                                           const ScanOptions& options) {
  std::unique_ptr<DatasetReader> reader(new DatasetReader());
  reader->path_ = path;
  reader->options_ = options;
  if (reader->options_.threads <= 0) {
    reader->options_.threads = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  }
  PROBITY_ASSIGN_OR_RETURN(reader->source_, ByteSource::Open(fs, path));
  reader->path_ = reader->source_->path();
  PROBITY_RETURN_IF_ERROR(reader->Prepare(spec));
  return reader;
}

std::string_view DatasetReader::Text() const {
  return std::string_view(buffer_.data(), buffer_.size());
}

void DatasetReader::Consume(size_t n) {
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(n));
}

Status DatasetReader::FillBuffer(size_t target) {
  while (buffer_.size() < target && !end_of_text_) {
    size_t old = buffer_.size();
    buffer_.resize(target);
    Result<size_t> n = source_->Read(std::span<char>(buffer_.data() + old, target - old));
    if (!n.has_value()) {
      buffer_.resize(old);
      return Status(n.error()).InFile(path_);
    }
    buffer_.resize(old + *n);
    text_bytes_ += static_cast<int64_t>(*n);
    if (*n == 0) end_of_text_ = true;
  }
  return OkStatus();
}

Result<size_t> DatasetReader::CutRows(size_t limit) {
  const auto max_row = static_cast<size_t>(std::max<int64_t>(options_.max_row_bytes, 1));
  while (true) {
    PROBITY_RETURN_IF_ERROR(FillBuffer(limit));
    if (end_of_text_ && buffer_.size() <= limit) return buffer_.size();
    std::string_view view(buffer_.data(), std::min(limit, buffer_.size()));
    size_t cut;
    if (format_.type == FileFormat::kJsonLines) {
      const void* lf = memrchr(view.data(), '\n', view.size());
      cut = lf == nullptr ? std::string::npos
                          : static_cast<size_t>(static_cast<const char*>(lf) - view.data()) + 1;
    } else {
      cut = internal::FindLastRowEnd(view, dialect_);
    }
    if (cut != std::string::npos) return cut;
    if (limit >= max_row) {
      return InvalidArgumentError("a row is longer than " + std::to_string(max_row) + " bytes")
          .At({path_, next_line_, 1})
          .Expecting("a line end within the row-size limit (is a quote left open?)");
    }
    limit = std::min(limit * 2, max_row);
  }
}

Status DatasetReader::Prepare(const DatasetSpec& spec) {
  const auto sample_bytes = static_cast<size_t>(std::max<int64_t>(options_.sample_bytes, 4096));
  PROBITY_RETURN_IF_ERROR(FillBuffer(sample_bytes));
  format_.compression = source_->compression();
  format_.quote = spec.format.quote;
  format_.trim = spec.format.trim;
  format_.missing_tokens = spec.format.missing_tokens;
  if (Text().starts_with("\xEF\xBB\xBF")) {
    Consume(3);
    format_.byte_order_mark = true;
  }
  if (buffer_.empty() && end_of_text_) {
    return InvalidArgumentError("the file is empty")
        .At({path_, 0, 0})
        .Expecting("a header or at least one data row");
  }
  format_.type = spec.format.type;
  if (format_.type == FileFormat::kAuto) {
    size_t first = Text().find_first_not_of(" \t\r\n");
    format_.type = first != std::string::npos && buffer_[first] == '{' ? FileFormat::kJsonLines
                                                                       : FileFormat::kCsv;
  }
  dialect_ = internal::CsvDialect{',', format_.quote, format_.trim};
  PROBITY_ASSIGN_OR_RETURN(size_t sample_end, CutRows(sample_bytes));
  std::string_view sample(buffer_.data(), sample_end);
  if (format_.type == FileFormat::kJsonLines) return PrepareJsonLines(spec, sample);
  return PrepareCsv(spec, sample);
}

Status DatasetReader::ApplySchemaToHeader(const Schema& given,
                                          const std::vector<std::string>& header,
                                          int64_t header_line) {
  column_of_field_.assign(header.size(), 0);
  std::vector<bool> found(given.size(), false);
  for (size_t k = 0; k < header.size(); ++k) {
    std::optional<size_t> i = given.IndexOf(header[k]);
    if (!i) {
      return InvalidArgumentError("header column \"" + header[k] + "\" (field " +
                                  std::to_string(k + 1) + ") is not in the schema")
          .At({path_, header_line, 1})
          .Expecting("every header column to be listed in the schema's columns");
    }
    column_of_field_[k] = *i;
    found[*i] = true;
  }
  for (size_t i = 0; i < given.size(); ++i) {
    if (!found[i]) {
      return InvalidArgumentError("schema column \"" + given.field(i).name +
                                  "\" is not in the header")
          .At({path_, header_line, 1})
          .Expecting("a header naming every schema column");
    }
  }
  return OkStatus();
}

Status DatasetReader::PrepareCsv(const DatasetSpec& spec, std::string_view sample) {
  if (spec.format.delimiter) {
    dialect_.delimiter = *spec.format.delimiter;
  } else {
    dialect_.delimiter = internal::DetectDelimiter(sample, format_.quote, format_.trim);
    format_.delimiter_detected = true;
  }
  format_.delimiter = dialect_.delimiter;

  std::vector<std::vector<std::string>> rows = internal::SampleRows(sample, dialect_, kSniffRows);
  if (spec.format.header) {
    format_.header = *spec.format.header;
  } else if (spec.schema && !rows.empty()) {
    std::vector<std::string> first = internal::NamesFromHeader(rows[0]);
    std::vector<std::string> names;
    for (const Field& f : spec.schema->fields()) names.push_back(f.name);
    std::sort(first.begin(), first.end());
    std::sort(names.begin(), names.end());
    format_.header = first == names;
    format_.header_detected = true;
  } else {
    format_.header = internal::DetectHeader(rows, format_.missing_tokens);
    format_.header_detected = true;
  }

  std::vector<std::string> header;
  int64_t header_line = 0;
  if (format_.header) {
    std::string first_rows(Text().substr(0, sample.size()));
    internal::CsvFields fields;
    size_t consumed = internal::TokenizeCsv(first_rows, dialect_, &fields, 1);
    if (!fields.errors.empty()) {
      return internal::DescribeRowError(fields.errors.front(), dialect_, first_rows, path_,
                                        next_line_);
    }
    if (fields.rows() == 1) {
      header_line = internal::LocateOffset(first_rows, next_line_, fields.row_offset[0]).line;
      for (size_t k = 0; k < fields.field_count(0); ++k) {
        std::string_view name = fields.field(first_rows, 0, k);
        if (internal::FindInvalidUtf8(name) >= 0) {
          InputLocation where = internal::LocateOffset(first_rows, next_line_, fields.begin[k]);
          where.file = path_;
          return InvalidArgumentError("the header has invalid UTF-8")
              .At(where)
              .Expecting("UTF-8 column names");
        }
        header.emplace_back(name);
      }
    }
    next_line_ = internal::LocateOffset(Text(), next_line_, consumed).line;
    Consume(consumed);
  }

  // The sample after the header, for type inference.
  PROBITY_ASSIGN_OR_RETURN(
      size_t sample_end,
      CutRows(static_cast<size_t>(std::max<int64_t>(options_.sample_bytes, 4096))));
  sample = std::string_view(buffer_.data(), sample_end);

  if (spec.schema) {
    schema_ = *spec.schema;
    if (format_.header) {
      // Match the names inference would give (empty names numbered, repeats suffixed), so a
      // schema written by `probity data schema` always reads its file back.
      PROBITY_RETURN_IF_ERROR(
          ApplySchemaToHeader(schema_, internal::NamesFromHeader(header), header_line));
    } else {
      column_of_field_.resize(schema_.size());
      for (size_t i = 0; i < schema_.size(); ++i) column_of_field_[i] = i;
    }
  } else {
    TypeInference inference(format_.missing_tokens);
    std::string sample_text(sample);
    internal::CsvFields sampled_fields;
    internal::TokenizeCsv(sample_text, dialect_, &sampled_fields);
    const internal::CsvFields& tokens = sampled_fields;
    std::map<size_t, int64_t> field_counts;
    int64_t sampled = 0;
    size_t error_index = 0;
    for (size_t r = 0; r < tokens.rows(); ++r) {
      if (error_index < tokens.errors.size() && tokens.errors[error_index].row == r) {
        ++error_index;
        continue;
      }
      size_t count = tokens.field_count(r);
      if (format_.header && count != header.size()) continue;
      ++field_counts[count];
      for (size_t k = 0; k < count; ++k) inference.Observe(k, tokens.field(sample_text, r, k));
      ++sampled;
    }
    size_t columns = header.size();
    if (!format_.header) {
      int64_t best = 0;
      for (const auto& [count, n] : field_counts) {
        if (n > best) columns = count, best = n;
      }
    }
    std::vector<std::string> names =
        format_.header ? internal::NamesFromHeader(header) : std::vector<std::string>();
    std::vector<Field> fields;
    for (size_t k = 0; k < columns; ++k) {
      Field f;
      f.name = format_.header ? names[k] : "column_" + std::to_string(k + 1);
      f.type = inference.Inferred(k);
      f.inferred = true;
      if (auto hint = spec.type_hints.find(f.name); hint != spec.type_hints.end()) {
        f.type = hint->second;
        f.inferred = false;
      }
      fields.push_back(std::move(f));
    }
    schema_ = Schema(std::move(fields));
    column_of_field_.resize(columns);
    for (size_t i = 0; i < columns; ++i) column_of_field_[i] = i;
    inference_rows_ = sampled;
    if (sampled > 0)
      bytes_per_row_ = static_cast<double>(sample.size()) / static_cast<double>(sampled);
  }
  if (schema_.empty()) {
    return InvalidArgumentError("the file holds no columns")
        .At({path_, 0, 0})
        .Expecting("a header or at least one data row");
  }
  converter_ =
      std::make_unique<internal::RowConverter>(schema_, spec.format, path_, inference_rows_);
  return OkStatus();
}

Status DatasetReader::PrepareJsonLines(const DatasetSpec& spec, std::string_view sample) {
  if (spec.schema) {
    schema_ = *spec.schema;
  } else {
    TypeInference inference(format_.missing_tokens);
    std::vector<std::string> keys;
    std::map<std::string, size_t, std::less<>> key_index;
    int64_t sampled = 0;
    std::string text;
    PROBITY_RETURN_IF_ERROR(
        ForEachLine(sample, next_line_, [&](std::string_view line, int64_t number) -> Status {
          if (IsBlank(line)) return OkStatus();
          nlohmann::ordered_json row =
              nlohmann::ordered_json::parse(line, nullptr, /*allow_exceptions=*/false);
          if (!row.is_object()) return OkStatus();  // reported with its location by the scan
          for (const auto& [key, value] : row.items()) {
            if (key.empty()) {
              return InvalidArgumentError("a key is empty")
                  .At({path_, number, 1})
                  .Expecting("non-empty keys (they name the columns)");
            }
            auto it = key_index.find(key);
            if (it == key_index.end()) {
              it = key_index.emplace(key, keys.size()).first;
              keys.push_back(key);
            }
            // A nested value says nothing about the column's type; the scan reports it.
            bool is_null;
            if (JsonScalarText(value, &text, &is_null))
              inference.Observe(it->second, text, is_null);
          }
          ++sampled;
          return OkStatus();
        }));
    std::vector<Field> fields;
    for (size_t k = 0; k < keys.size(); ++k) {
      Field f;
      f.name = keys[k];
      f.type = inference.Inferred(k);
      f.inferred = true;
      if (auto hint = spec.type_hints.find(f.name); hint != spec.type_hints.end()) {
        f.type = hint->second;
        f.inferred = false;
      }
      fields.push_back(std::move(f));
    }
    if (fields.empty()) {
      return InvalidArgumentError("no JSON object with keys in the first " +
                                  std::to_string(sample.size()) + " bytes")
          .At({path_, next_line_, 1})
          .Expecting("one JSON object per line");
    }
    schema_ = Schema(std::move(fields));
    inference_rows_ = sampled;
  }
  converter_ =
      std::make_unique<internal::RowConverter>(schema_, spec.format, path_, inference_rows_);
  return OkStatus();
}

Result<std::optional<internal::Chunk>> DatasetReader::NextChunk() {
  const auto chunk_bytes = static_cast<size_t>(std::max<int64_t>(options_.chunk_bytes, 1024));
  PROBITY_ASSIGN_OR_RETURN(size_t cut, CutRows(chunk_bytes));
  if (options_.progress) options_.progress(source_->stored_bytes_read(), source_->stored_size());
  if (cut == 0) return std::optional<internal::Chunk>();
  internal::Chunk chunk;
  chunk.sequence = next_sequence_++;
  chunk.first_line = next_line_;
  chunk.text = std::move(buffer_);
  {
    std::lock_guard lock(pool_mutex_);
    if (!pool_.empty()) {
      buffer_ = std::move(pool_.back());
      pool_.pop_back();
    } else {
      buffer_ = Buffer<char>();
    }
  }
  buffer_.assign(chunk.text.begin() + static_cast<std::ptrdiff_t>(cut), chunk.text.end());
  chunk.text.resize(cut);
  next_line_ +=
      format_.type == FileFormat::kJsonLines
          ? static_cast<int64_t>(std::count(chunk.text.begin(), chunk.text.end(), '\n'))
          : internal::CountLineEnds(std::string_view(chunk.text.data(), chunk.text.size()));
  return std::optional<internal::Chunk>(std::move(chunk));
}

Status DatasetReader::BadRow(RowBatch& batch, Status error) const {
  error.InFile(path_);
  if (options_.on_bad_row == BadRowPolicy::kFail) return error;
  ++batch.skipped_rows;
  if (batch.skipped_examples.size() < ScanSummary::kMaxSkippedExamples) {
    batch.skipped_examples.push_back(std::move(error));
  }
  return OkStatus();
}

namespace {

Schema WithColumnTypes(const Schema& schema, const std::vector<Column>& columns) {
  bool same = true;
  for (size_t i = 0; i < columns.size(); ++i)
    same = same && columns[i].type() == schema.field(i).type;
  if (same) return schema;
  Schema out = schema;
  for (size_t i = 0; i < columns.size(); ++i) out.mutable_field(i).type = columns[i].type();
  return out;
}

}  // namespace

Result<RowBatch> DatasetReader::ParseCsvChunk(internal::Chunk& chunk) const {
  RowBatch batch;
  batch.sequence = chunk.sequence;
  batch.first_line = chunk.first_line;
  thread_local internal::CsvFields fields;
  thread_local std::vector<uint8_t> row_ok;
  thread_local std::vector<uint32_t> bad;
  internal::TokenizeCsv(chunk.text.data(), chunk.text.size(), dialect_, &fields);
  const std::string_view text(chunk.text.data(), chunk.text.size());
  batch.blank_lines = fields.blank_lines;
  const size_t rows = fields.rows();
  const size_t expected = column_of_field_.size();

  // A problem with a row: a malformed row (field 0) or a value that does not fit (field k+1).
  struct Problem {
    uint32_t row;
    uint32_t field;
    int64_t index;  // into fields.errors for field 0 with a row error; -1 for a field count
  };
  std::vector<Problem> problems;
  row_ok.assign(rows, 1);
  for (size_t e = 0; e < fields.errors.size(); ++e) {
    row_ok[fields.errors[e].row] = 0;
    problems.push_back({fields.errors[e].row, 0, static_cast<int64_t>(e)});
  }
  for (size_t r = 0; r < rows; ++r) {
    if (row_ok[r] != 0 && fields.field_count(r) != expected) {
      row_ok[r] = 0;
      problems.push_back({static_cast<uint32_t>(r), 0, -1});
    }
  }
  std::vector<Column> columns(schema_.size());
  for (size_t k = 0; k < expected; ++k) {
    bad.clear();
    size_t c = column_of_field_[k];
    columns[c] = converter_->ConvertColumn(c, text, fields, k, row_ok, &bad);
    for (uint32_t r : bad) problems.push_back({r, static_cast<uint32_t>(k + 1), 0});
  }

  if (!problems.empty()) {
    std::sort(problems.begin(), problems.end(), [](const Problem& a, const Problem& b) {
      return a.row != b.row ? a.row < b.row : a.field < b.field;
    });
    auto describe = [&](const Problem& p) -> Status {
      if (p.field == 0 && p.index >= 0) {
        return internal::DescribeRowError(fields.errors[static_cast<size_t>(p.index)], dialect_,
                                          text, path_, chunk.first_line);
      }
      if (p.field == 0) {
        InputLocation where =
            internal::LocateOffset(text, chunk.first_line, fields.row_offset[p.row]);
        where.file = path_;
        size_t count = fields.field_count(p.row);
        std::string source = format_.header        ? "the header has"
                             : inference_rows_ > 0 ? "most of the first rows have"
                                                   : "the schema has";
        return InvalidArgumentError("row has " + std::to_string(count) + " field" +
                                    (count == 1 ? "" : "s"))
            .At(where)
            .Expecting(std::to_string(expected) + " fields, as " + source +
                       " (delimiter: " + DelimiterName(dialect_.delimiter) + ")");
      }
      size_t k = p.field - 1;
      size_t i = fields.row_field[p.row] + k;
      return converter_->CellError(column_of_field_[k], fields.field(text, p.row, k), false,
                                   internal::LocateOffset(text, chunk.first_line, fields.begin[i]));
    };
    if (options_.on_bad_row == BadRowPolicy::kFail) return describe(problems.front());
    // Under kSkip only the first few messages are kept, so only those are built (locating
    // a row scans the chunk up to it).
    std::vector<uint8_t> keep(rows, 1);
    for (const Problem& p : problems) {
      if (keep[p.row] == 0) continue;
      keep[p.row] = 0;
      ++batch.skipped_rows;
      if (batch.skipped_examples.size() < ScanSummary::kMaxSkippedExamples) {
        batch.skipped_examples.push_back(describe(p).InFile(path_));
      }
    }
    // Convert again without the bad rows, so that nothing in them (a decimal that would
    // widen an integer column) affects the kept ones, then drop their placeholders.
    for (size_t r = 0; r < rows; ++r) row_ok[r] = row_ok[r] & keep[r];
    for (size_t k = 0; k < expected; ++k) {
      bad.clear();
      size_t c = column_of_field_[k];
      columns[c] = converter_->ConvertColumn(c, text, fields, k, row_ok, &bad).Filter(keep);
    }
  }
  Schema schema = WithColumnTypes(schema_, columns);
  batch.rows = Table(std::move(schema), std::move(columns));
  return batch;
}

Result<RowBatch> DatasetReader::ParseJsonLinesChunk(internal::Chunk& chunk) const {
  RowBatch batch;
  batch.sequence = chunk.sequence;
  batch.first_line = chunk.first_line;
  std::vector<Column> columns = converter_->NewColumns(0);
  std::vector<FieldValue> values(schema_.size());
  std::vector<std::string> texts(schema_.size());
  PROBITY_RETURN_IF_ERROR(ForEachLine(
      std::string_view(chunk.text.data(), chunk.text.size()), chunk.first_line,
      [&](std::string_view line, int64_t number) -> Status {
        if (IsBlank(line)) {
          ++batch.blank_lines;
          return OkStatus();
        }
        nlohmann::ordered_json row;
        try {
          row = nlohmann::ordered_json::parse(line);
        } catch (const nlohmann::ordered_json::parse_error& e) {
          std::string what = e.what();
          size_t colon = what.rfind(": ");
          return BadRow(batch,
                        InvalidArgumentError(
                            "the line is not valid JSON (" +
                            (colon == std::string::npos ? what : what.substr(colon + 2)) + ")")
                            .At({path_, number, static_cast<int64_t>(std::max<size_t>(e.byte, 1))})
                            .Expecting("one JSON object per line"));
        }
        if (!row.is_object()) {
          return BadRow(
              batch, InvalidArgumentError(std::string("the line holds a JSON ") + row.type_name())
                         .At({path_, number, 1})
                         .Expecting("one JSON object per line"));
        }
        for (size_t i = 0; i < values.size(); ++i) values[i] = FieldValue{{}, true};
        for (const auto& [key, value] : row.items()) {
          std::optional<size_t> i = schema_.IndexOf(key);
          if (!i) {
            return BadRow(batch, InvalidArgumentError("unknown key \"" + key + "\"")
                                     .At({path_, number, 1})
                                     .Expecting(inference_rows_ > 0
                                                    ? "only keys seen in the first " +
                                                          std::to_string(inference_rows_) +
                                                          " lines (pass a schema to read others)"
                                                    : "only keys named in the schema"));
          }
          bool is_null;
          if (!JsonScalarText(value, &texts[*i], &is_null)) {
            return BadRow(batch, InvalidArgumentError("key \"" + key + "\" holds a nested " +
                                                      std::string(value.type_name()))
                                     .At({path_, number, 1})
                                     .Expecting("a number, string, boolean or null"));
          }
          values[*i] = FieldValue{texts[*i], is_null};
        }
        const int64_t before = columns[0].size();
        for (size_t i = 0; i < values.size(); ++i) {
          if (converter_->AppendCell(i, values[i].text, values[i].is_null, columns[i])) continue;
          Status s =
              converter_->CellError(i, values[i].text, values[i].is_null, {path_, number, 1});
          for (size_t k = 0; k < i; ++k) columns[k].Truncate(before);
          return BadRow(batch, std::move(s));
        }
        return OkStatus();
      }));
  Schema schema = WithColumnTypes(schema_, columns);
  batch.rows = Table(std::move(schema), std::move(columns));
  return batch;
}

Status DatasetReader::Scan(const Mapper& map, const Reducer& reduce) {
  if (scanned_) return FailedPreconditionError("the dataset was already scanned");
  scanned_ = true;
  summary_ = ScanSummary();
  auto parse = [this](internal::Chunk& chunk) {
    Result<RowBatch> batch =
        format_.type == FileFormat::kJsonLines ? ParseJsonLinesChunk(chunk) : ParseCsvChunk(chunk);
    chunk.text.clear();
    std::lock_guard lock(pool_mutex_);
    if (pool_.size() < 2 * static_cast<size_t>(options_.threads) + 4)
      pool_.push_back(std::move(chunk.text));
    return batch;
  };
  auto counted_reduce = [&](RowBatch&& batch, std::shared_ptr<void> partial) -> Status {
    summary_.rows += batch.rows.num_rows();
    summary_.skipped_rows += batch.skipped_rows;
    summary_.blank_lines += batch.blank_lines;
    for (Status& s : batch.skipped_examples) {
      if (summary_.skipped_examples.size() < ScanSummary::kMaxSkippedExamples) {
        summary_.skipped_examples.push_back(std::move(s));
      }
    }
    return reduce(std::move(batch), std::move(partial));
  };
  PROBITY_RETURN_IF_ERROR(internal::RunBatchPipeline(
      options_.threads, [this] { return NextChunk(); }, parse, map, counted_reduce));
  Result<Digest> digest = source_->FinishDigest();
  if (!digest.has_value()) return Status(digest.error()).InFile(path_);
  summary_.digest = *digest;
  summary_.stored_bytes = source_->stored_bytes_read();
  summary_.text_bytes = text_bytes_;
  if (options_.progress) options_.progress(source_->stored_bytes_read(), source_->stored_size());
  return OkStatus();
}

Result<Table> ReadTable(FileSystem& fs, const std::string& path, const DatasetSpec& spec,
                        const ScanOptions& options, ScanSummary* summary) {
  PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<DatasetReader> reader,
                           DatasetReader::Open(fs, path, spec, options));
  TableBuilder builder(reader->schema());
  PROBITY_RETURN_IF_ERROR(reader->Scan(
      [](const RowBatch&) -> Result<std::shared_ptr<void>> { return std::shared_ptr<void>(); },
      [&](RowBatch&& batch, std::shared_ptr<void>) { return builder.Append(batch.rows); }));
  if (summary != nullptr) *summary = reader->summary();
  return std::move(builder).Finish();
}

}  // namespace probity::ingest
