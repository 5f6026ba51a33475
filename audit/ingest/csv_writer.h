// Writes CSV per RFC 4180: the inverse of the CSV reader, for files Probity produces
// (`probity predict` output) and for the batches it sends to external models. Numbers are
// written in shortest round-trip form (reading them back gives the same double), a missing
// cell is an empty field, and a field is quoted only when it must be.
//
//   std::string text;
//   AppendCsvHeader(names, &text);
//   AppendCsvRows(columns, 0, table.num_rows(), &text);
//   PROBITY_RETURN_IF_ERROR(WriteCsv(names, columns, *out));   // streaming, to a file
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "audit/core/column.h"
#include "audit/core/file_system.h"
#include "audit/core/status.h"

namespace probity::ingest {

struct CsvWriteOptions {
  char delimiter = ',';
  // Line end after every record, the last included. RFC 4180 says CRLF; Probity writes LF
  // by default, which every CSV reader accepts.
  std::string_view line_end = "\n";
};

// Appends `text` as one field: verbatim, or in double quotes with inner quotes doubled when
// it holds the delimiter, a quote, CR or LF, or starts or ends with a space or tab (which
// trimming readers would drop).
void AppendCsvField(std::string_view text, std::string* out, char delimiter = ',');

// Appends a number in shortest round-trip form ("0.1", "3", "1e+300", "-inf"); NaN is
// written as an empty field (missing).
void AppendCsvNumber(double value, std::string* out);

// Appends the text of one cell, unquoted: strings as stored, int64 in decimal, float64 as
// AppendCsvNumber, bools as "true"/"false", and nothing for a missing cell.
void AppendCellText(const Column& column, int64_t row, std::string* out);

// Appends one cell as a CSV field (AppendCellText, quoted when needed).
void AppendCsvCell(const Column& column, int64_t row, std::string* out, char delimiter = ',');

// Appends the header record.
void AppendCsvHeader(std::span<const std::string> names, std::string* out,
                     const CsvWriteOptions& options = {});

// Appends records for rows [begin, end) of `columns` (all at least `end` rows long).
void AppendCsvRows(std::span<const Column* const> columns, int64_t begin, int64_t end,
                   std::string* out, const CsvWriteOptions& options = {});

// Writes the header and every row of `columns` (equal lengths; names.size() ==
// columns.size()) to `out`, in pieces of about 1 MiB, so memory stays bounded. Does not
// Commit(). Returns the first error from out.Append (kIoError).
Status WriteCsv(std::span<const std::string> names, std::span<const Column* const> columns,
                OutputFile& out, const CsvWriteOptions& options = {});

}  // namespace probity::ingest
