#include "audit/ingest/internal/csv_sniffer.h"

#include <algorithm>
#include <map>
#include <set>

#include "audit/ingest/internal/text_values.h"

namespace probity::ingest::internal {
namespace {

bool IsNumber(std::string_view text) {
  double d;
  return ParseFloat64(text, &d) == NumberParse::kOk;
}

// The most common field count among the rows and the fraction of rows that have it.
std::pair<size_t, double> ModalFieldCount(const std::vector<std::vector<std::string>>& rows) {
  std::map<size_t, size_t> counts;
  for (const auto& row : rows) ++counts[row.size()];
  size_t best = 0;
  size_t best_rows = 0;
  for (const auto& [count, n] : counts) {
    if (n > best_rows || (n == best_rows && count > best)) {
      best = count;
      best_rows = n;
    }
  }
  return {best,
          rows.empty() ? 0.0 : static_cast<double>(best_rows) / static_cast<double>(rows.size())};
}

}  // namespace

std::vector<std::vector<std::string>> SampleRows(std::string_view sample, const CsvDialect& dialect,
                                                 size_t max_rows) {
  // Tokenizing unescapes in place, so it needs a copy: of about the first max_rows lines.
  size_t prefix = 0;
  for (size_t lines = 0; lines < 2 * max_rows && prefix < sample.size(); ++lines) {
    size_t lf = sample.find('\n', prefix);
    prefix = lf == std::string_view::npos ? sample.size() : lf + 1;
  }
  std::string text(sample.substr(0, prefix));
  CsvFields fields;
  TokenizeCsv(text, dialect, &fields, max_rows);
  size_t rows = fields.errors.empty() ? fields.rows() : fields.errors.front().row;
  std::vector<std::vector<std::string>> out;
  out.reserve(rows);
  for (size_t r = 0; r < rows; ++r) {
    std::vector<std::string> row;
    for (size_t k = 0; k < fields.field_count(r); ++k) row.emplace_back(fields.field(text, r, k));
    out.push_back(std::move(row));
  }
  return out;
}

char DetectDelimiter(std::string_view sample, char quote, bool trim) {
  constexpr size_t kRows = 100;
  char best = 0;
  size_t best_count = 1;
  for (char candidate : {',', ';', '\t', '|', ' '}) {
    if (candidate == ' ' && best != 0) break;  // real delimiters win over whitespace
    auto rows = SampleRows(sample, CsvDialect{candidate, quote, trim}, kRows);
    auto [count, share] = ModalFieldCount(rows);
    if (count > best_count && share >= 0.9) {
      best = candidate;
      best_count = count;
    }
  }
  return best == 0 ? ',' : best;
}

bool DetectHeader(const std::vector<std::vector<std::string>>& rows,
                  const std::vector<std::string>& missing_tokens) {
  if (rows.empty()) return false;
  const auto& first = rows[0];
  std::set<std::string> distinct;
  size_t named = 0;
  for (const std::string& v : first) {
    if (IsNumber(v)) return false;
    if (!v.empty()) {
      ++named;
      if (std::find(missing_tokens.begin(), missing_tokens.end(), v) != missing_tokens.end()) {
        return false;
      }
    }
    distinct.insert(v);
  }
  // At most one unnamed column (a pandas index written to CSV) is tolerated.
  if (named + 1 < first.size() || named == 0) return false;
  if (rows.size() == 1) return distinct.size() == first.size();

  bool numeric_column = false;
  bool value_reappears = false;
  for (size_t c = 0; c < first.size(); ++c) {
    bool all_numbers = true;
    bool any_value = false;
    for (size_t r = 1; r < rows.size(); ++r) {
      if (c >= rows[r].size()) continue;
      const std::string& v = rows[r][c];
      if (std::find(missing_tokens.begin(), missing_tokens.end(), v) != missing_tokens.end()) {
        continue;
      }
      any_value = true;
      if (!IsNumber(v)) all_numbers = false;
      if (!first[c].empty() && v == first[c]) value_reappears = true;
    }
    if (any_value && all_numbers) numeric_column = true;
  }
  return numeric_column || !value_reappears;
}

std::vector<std::string> NamesFromHeader(const std::vector<std::string>& header) {
  std::vector<std::string> names;
  std::set<std::string> used;
  for (size_t i = 0; i < header.size(); ++i) {
    std::string base = header[i].empty() ? "column_" + std::to_string(i + 1) : header[i];
    std::string name = base;
    for (int k = 1; used.contains(name); ++k) name = base + "." + std::to_string(k);
    used.insert(name);
    names.push_back(std::move(name));
  }
  return names;
}

}  // namespace probity::ingest::internal
