// DatasetReader streams a CSV or JSON Lines file (optionally gzip/bzip2/xz/zstd compressed)
// as typed RowBatches. Open() reads the first chunk to detect the format and dialect, read
// the header and bind or infer the schema; Scan() then parses the file in parallel and hands
// the batches to a consumer in file order, in memory bounded by a few chunks. ReadTable()
// loads a whole file for consumers that need random access.
//
//   PROBITY_ASSIGN_OR_RETURN(auto reader, DatasetReader::Open(fs, "adult.csv", spec, options));
//   int64_t rows = 0;
//   PROBITY_RETURN_IF_ERROR(ScanDataset<int64_t>(
//       *reader, [](const RowBatch& b) -> Result<int64_t> { return b.rows.num_rows(); },
//       [&](RowBatch&&, int64_t n) { rows += n; return OkStatus(); }));
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "audit/core/digest.h"
#include "audit/core/file_system.h"
#include "audit/core/table.h"
#include "audit/ingest/byte_source.h"
#include "audit/ingest/format_options.h"
#include "audit/ingest/internal/batch_pipeline.h"
#include "audit/ingest/internal/csv_tokenizer.h"
#include "audit/ingest/internal/row_converter.h"

namespace probity::ingest {

// The format actually used: what was given, completed by detection.
struct ResolvedFormat {
  FileFormat type = FileFormat::kCsv;
  char delimiter = ',';  // ' ' = whitespace runs (CSV only)
  bool header = false;
  char quote = '"';
  bool trim = true;
  std::vector<std::string> missing_tokens;
  Compression compression = Compression::kNone;
  bool byte_order_mark = false;
  bool delimiter_detected = false;
  bool header_detected = false;
};

// What a completed scan saw.
struct ScanSummary {
  int64_t rows = 0;          // rows delivered (not counting skipped ones)
  int64_t skipped_rows = 0;  // bad rows skipped under BadRowPolicy::kSkip
  int64_t blank_lines = 0;
  std::vector<Status> skipped_examples;  // the first kMaxSkippedExamples skip reasons
  Digest digest;                         // SHA-256 of the stored file
  int64_t stored_bytes = 0;              // size of the stored (possibly compressed) file
  int64_t text_bytes = 0;                // size after decompression
  static constexpr size_t kMaxSkippedExamples = 10;
};

class DatasetReader {
 public:
  // Opens `path` and prepares the scan: detects compression, format, delimiter and header
  // unless `spec` fixes them, and binds `spec.schema` to the header (or infers a schema from
  // the first options.sample_bytes). Errors: kNotFound/kIoError for the file;
  // kInvalidArgument for an empty file, an unreadable header, or a schema that does not
  // match the file — each with the file, line and column.
  static Result<std::unique_ptr<DatasetReader>> Open(FileSystem& fs, const std::string& path,
                                                     const DatasetSpec& spec,
                                                     const ScanOptions& options);
  ~DatasetReader();

  const Schema& schema() const { return schema_; }
  const ResolvedFormat& format() const { return format_; }
  const std::string& path() const { return path_; }
  const ScanOptions& options() const { return options_; }
  // Rows the schema was inferred from; 0 when a schema was given.
  int64_t inference_rows() const { return inference_rows_; }

  using Mapper = internal::BatchMapper;
  using Reducer = internal::BatchReducer;
  // Parses every row. `map` runs on worker threads, concurrently and in any order, and must
  // not touch shared state; `reduce` runs on the calling thread in file order. Returns the
  // first error in file order: a bad row (under kFail), a read or decompression error, or
  // an error from map/reduce. Can be called once.
  Status Scan(const Mapper& map, const Reducer& reduce);
  // Valid after a successful Scan.
  const ScanSummary& summary() const { return summary_; }

 private:
  DatasetReader() = default;
  Status Prepare(const DatasetSpec& spec);
  Status PrepareCsv(const DatasetSpec& spec, std::string_view sample);
  Status PrepareJsonLines(const DatasetSpec& spec, std::string_view sample);
  // The unconsumed text, and dropping its first n bytes.
  std::string_view Text() const;
  void Consume(size_t n);
  Status FillBuffer(size_t target);
  // Offset just past the last complete row within the first `limit` bytes of buffer_,
  // growing the buffer (up to max_row_bytes) when no row ends there.
  Result<size_t> CutRows(size_t limit);
  Result<std::optional<internal::Chunk>> NextChunk();
  Result<RowBatch> ParseCsvChunk(internal::Chunk& chunk) const;
  Result<RowBatch> ParseJsonLinesChunk(internal::Chunk& chunk) const;
  Status BadRow(RowBatch& batch, Status error) const;
  Status ApplySchemaToHeader(const Schema& given, const std::vector<std::string>& header,
                             int64_t header_line);

  std::string path_;
  ScanOptions options_;
  std::unique_ptr<ByteSource> source_;
  ResolvedFormat format_;
  Schema schema_;
  int64_t inference_rows_ = 0;
  // CSV: for each field position in the file, the schema column it fills.
  std::vector<size_t> column_of_field_;
  internal::CsvDialect dialect_;
  std::unique_ptr<internal::RowConverter> converter_;
  double bytes_per_row_ = 64;

  // Unconsumed decompressed text, starting at a row boundary.
  Buffer<char> buffer_;
  // Chunk buffers handed back by workers after parsing, reused so that steady-state scanning
  // allocates (and page-faults) nothing.
  std::mutex pool_mutex_;
  std::vector<Buffer<char>> pool_;
  bool end_of_text_ = false;
  int64_t text_bytes_ = 0;
  int64_t next_line_ = 1;
  int64_t next_sequence_ = 0;
  bool scanned_ = false;
  ScanSummary summary_;
};

// Typed convenience over DatasetReader::Scan: `map(const RowBatch&) -> Result<Partial>` on
// workers, `reduce(RowBatch&&, Partial&&) -> Status` in file order.
template <typename Partial, typename MapFn, typename ReduceFn>
Status ScanDataset(DatasetReader& reader, MapFn&& map, ReduceFn&& reduce) {
  return reader.Scan(
      [&](const RowBatch& batch) -> Result<std::shared_ptr<void>> {
        Result<Partial> partial = map(batch);
        if (!partial.has_value()) return partial.error();
        return std::shared_ptr<void>(std::make_shared<Partial>(std::move(partial).value()));
      },
      [&](RowBatch&& batch, std::shared_ptr<void> partial) -> Status {
        return reduce(std::move(batch), std::move(*static_cast<Partial*>(partial.get())));
      });
}

// Reads a whole file into a Table. `summary`, if given, receives the scan summary.
Result<Table> ReadTable(FileSystem& fs, const std::string& path, const DatasetSpec& spec,
                        const ScanOptions& options, ScanSummary* summary = nullptr);

}  // namespace probity::ingest
