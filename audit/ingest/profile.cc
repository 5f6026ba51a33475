#include "audit/ingest/profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <unordered_map>

#include "audit/core/hash.h"
#include "audit/core/json_output.h"
#include "audit/ingest/hyper_log_log.h"
#include "audit/ingest/internal/value_counter.h"
#include "audit/ingest/quantile_sketch.h"
#include "audit/ingest/top_k.h"

namespace probity::ingest {
namespace {

// Distinct values counted exactly per column; beyond these, sketches take over.
constexpr size_t kExactNumericCap = 4096;
constexpr size_t kExactCategoryCap = 65536;
constexpr double kSketchAccuracy = 0.001;  // relative error of sketched quantiles
constexpr size_t kTopValues = 10;
constexpr size_t kTopKCapacity = 1024;

uint64_t KeyOf(double v) {
  if (v == 0) v = 0.0;  // -0 and +0 are one value
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits;
}

double ValueOfKey(uint64_t key) {
  double v;
  std::memcpy(&v, &key, sizeof v);
  return v;
}

std::string NumberText(double v, DataType type) {
  if (type == DataType::kInt64 && std::abs(v) < 9.007199254740992e15) {
    return std::to_string(static_cast<int64_t>(v));
  }
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  return std::string(buffer, end);
}

// Count, mean and sum of squared deviations of finite values, merged with the pairwise
// formula of Chan, Golub and LeVeque (1979) so that batches combine without cancellation.
struct Moments {
  int64_t n = 0;
  double mean = 0;
  double m2 = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  int64_t positive_infinities = 0;
  int64_t negative_infinities = 0;

  void Merge(const Moments& o) {
    positive_infinities += o.positive_infinities;
    negative_infinities += o.negative_infinities;
    min = std::min(min, o.min);
    max = std::max(max, o.max);
    if (o.n == 0) return;
    if (n == 0) {
      n = o.n, mean = o.mean, m2 = o.m2;
      return;
    }
    double total = static_cast<double>(n + o.n);
    double delta = o.mean - mean;
    if (std::isfinite(delta)) {
      mean += delta * static_cast<double>(o.n) / total;
    } else {
      mean = mean * (static_cast<double>(n) / total) + o.mean * (static_cast<double>(o.n) / total);
    }
    m2 += o.m2 + delta * delta * static_cast<double>(n) * static_cast<double>(o.n) / total;
    n += o.n;
  }
};

struct NumericPartial {
  Moments moments;
  std::unique_ptr<internal::ValueCounter> exact;  // set when the batch was counted exactly
  bool int_keys = false;  // exact keys are int64 values (else double bits), see KeyOf
  std::unique_ptr<QuantileSketch> sketch;  // otherwise these two are set
  std::unique_ptr<HyperLogLog> hll;
};

struct ColumnPartial {
  NumericPartial numeric;
  std::vector<int64_t> code_counts;  // strings: count per batch dictionary code
  int64_t true_count = 0;
  int64_t false_count = 0;
};

struct BatchPartial {
  std::vector<ColumnPartial> columns;
};

class NumericAccumulator {
 public:
  explicit NumericAccumulator(std::atomic<bool>* overflowed) : overflowed_(overflowed) {}

  void Merge(NumericPartial&& p) {
    moments_.Merge(p.moments);
    if (p.exact) {
      // Integer columns are counted by their int64 value, so ids beyond 2^53 stay distinct;
      // once any batch brings doubles (a widened column) all keys become double bits.
      if (!keys_chosen_) {
        int_keys_ = p.int_keys;
        keys_chosen_ = true;
      }
      if (int_keys_ && !p.int_keys) {
        exact_ = ToDoubleKeys(exact_);
        int_keys_ = false;
      }
      if (int_keys_ != p.int_keys) *p.exact = ToDoubleKeys(*p.exact);
      if (!sketch_mode_) {
        exact_.Merge(*p.exact);
        if (exact_.size() > kExactNumericCap) EnterSketchMode();
      } else {
        for (const auto& [key, count] : p.exact->Entries()) {
          AddToSketch(int_keys_ ? static_cast<double>(static_cast<int64_t>(key)) : ValueOfKey(key),
                      count);
        }
      }
    } else if (p.sketch) {
      if (!sketch_mode_) EnterSketchMode();
      sketch_.Merge(*p.sketch);
      hll_->Merge(*p.hll);
    }
  }

  void Finish(DataType type, ColumnProfile* out) const {
    const Moments& m = moments_;
    int64_t infinities = m.positive_infinities + m.negative_infinities;
    int64_t distinct_infinities = (m.positive_infinities > 0) + (m.negative_infinities > 0);
    if (m.n == 0 && infinities == 0) {
      out->distinct = 0;
      return;
    }
    NumericSummary s;
    s.infinities = infinities;
    // +0.0 stands for both zeros, as in the value counts.
    s.min = m.negative_infinities > 0 ? -std::numeric_limits<double>::infinity() : m.min + 0.0;
    s.max = m.positive_infinities > 0 ? std::numeric_limits<double>::infinity() : m.max + 0.0;
    if (m.n == 0) {
      s.mean_reason = "no finite values";
    } else if (!std::isfinite(m.mean)) {
      s.mean_reason = "the mean is beyond the float64 range";
    } else {
      s.mean = m.mean;
    }
    double std = m.n > 1 ? std::sqrt(m.m2 / static_cast<double>(m.n - 1)) : 0.0;
    if (m.n < 2) {
      s.std_reason = "fewer than two finite values";
    } else if (!std::isfinite(std)) {
      s.std_reason = "the variance is beyond the float64 range";
    } else {
      s.std = std;
    }
    if (!sketch_mode_) {
      // Sorted by value; integer keys sort as integers, and print exactly.
      std::vector<std::pair<uint64_t, int64_t>> entries = exact_.Entries();
      auto number = [&](uint64_t key) {
        return int_keys_ ? static_cast<double>(static_cast<int64_t>(key)) : ValueOfKey(key);
      };
      std::sort(entries.begin(), entries.end(), [&](const auto& a, const auto& b) {
        return int_keys_ ? static_cast<int64_t>(a.first) < static_cast<int64_t>(b.first)
                         : ValueOfKey(a.first) < ValueOfKey(b.first);
      });
      std::vector<std::pair<double, int64_t>> values;
      for (const auto& [key, count] : entries) values.emplace_back(number(key), count);
      out->distinct = static_cast<int64_t>(values.size()) + distinct_infinities;
      out->distinct_exact = true;
      if (m.n > 0) {
        std::vector<int64_t> cumulative;
        int64_t total = 0;
        for (const auto& v : values) cumulative.push_back(total += v.second);
        auto at_rank = [&](int64_t rank) {
          size_t i = static_cast<size_t>(
              std::upper_bound(cumulative.begin(), cumulative.end(), rank) - cumulative.begin());
          return values[i].first;
        };
        for (size_t q = 0; q < kProfileQuantiles.size(); ++q) {
          double position = kProfileQuantiles[q] * static_cast<double>(m.n - 1);
          auto lo = static_cast<int64_t>(std::floor(position));
          auto hi = static_cast<int64_t>(std::ceil(position));
          s.quantiles[q] =
              InterpolateQuantile(at_rank(lo), at_rank(hi), position - static_cast<double>(lo));
        }
        s.has_quantiles = true;
      }
      std::vector<std::pair<uint64_t, int64_t>> by_count = entries;
      std::stable_sort(by_count.begin(), by_count.end(),
                       [](const auto& a, const auto& b) { return a.second > b.second; });
      for (size_t i = 0; i < by_count.size() && i < kTopValues; ++i) {
        std::string text = int_keys_ ? std::to_string(static_cast<int64_t>(by_count[i].first))
                                     : NumberText(ValueOfKey(by_count[i].first), type);
        out->top_values.push_back({std::move(text), by_count[i].second, 0});
      }
      out->top_values_exact = true;
    } else {
      // More than the exact cap were seen, and there cannot be more than there are values.
      out->distinct =
          std::clamp<int64_t>(std::llround(hll_->Estimate()), kExactNumericCap + 1, m.n) +
          distinct_infinities;
      out->distinct_exact = false;
      out->distinct_relative_standard_error = HyperLogLog::RelativeStandardError();
      for (size_t q = 0; q < kProfileQuantiles.size(); ++q) {
        s.quantiles[q] = std::clamp(sketch_.Quantile(kProfileQuantiles[q]), m.min, m.max);
      }
      s.has_quantiles = true;
      s.quantiles_exact = false;
      if (sketch_.collapsed()) {
        s.quantile_relative_error = std::nullopt;
      } else {
        s.quantile_relative_error = sketch_.relative_accuracy();
      }
      out->top_values_exact = false;  // not tracked for high-cardinality numeric columns
    }
    out->numeric = s;
  }

 private:
  // Sketch and HyperLogLog always see doubles, as SummariseNumbers feeds them.
  void AddToSketch(double value, int64_t count) {
    sketch_.Add(value, count);
    hll_->AddHash(Mix64(KeyOf(value)));
  }
  static internal::ValueCounter ToDoubleKeys(const internal::ValueCounter& ints) {
    internal::ValueCounter doubles;
    for (const auto& [key, count] : ints.Entries()) {
      doubles.Add(KeyOf(static_cast<double>(static_cast<int64_t>(key))), count);
    }
    return doubles;
  }
  void EnterSketchMode() {
    hll_ = std::make_unique<HyperLogLog>();
    for (const auto& [key, count] : exact_.Entries()) {
      AddToSketch(int_keys_ ? static_cast<double>(static_cast<int64_t>(key)) : ValueOfKey(key),
                  count);
    }
    exact_ = internal::ValueCounter();
    sketch_mode_ = true;
    overflowed_->store(true, std::memory_order_relaxed);
  }

  std::atomic<bool>* overflowed_;
  Moments moments_;
  internal::ValueCounter exact_;
  bool int_keys_ = false;
  bool keys_chosen_ = false;
  bool sketch_mode_ = false;
  QuantileSketch sketch_{kSketchAccuracy};
  std::unique_ptr<HyperLogLog> hll_;  // 16 KiB, allocated only past the exact cap
};

class CategoryAccumulator {
 public:
  void Add(const std::string& value, int64_t count) {
    if (!overflow_) {
      exact_[value] += count;
      if (exact_.size() > kExactCategoryCap) Spill();
      return;
    }
    top_.Add(value, count);
    hll_->AddHash(HashBytes(value));
  }

  void Finish(int64_t count, ColumnProfile* out) const {
    if (!overflow_) {
      std::vector<std::pair<std::string, int64_t>> entries(exact_.begin(), exact_.end());
      std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
      });
      out->distinct = static_cast<int64_t>(entries.size());
      for (size_t i = 0; i < entries.size() && i < kTopValues; ++i) {
        out->top_values.push_back({entries[i].first, entries[i].second, 0});
      }
      return;
    }
    out->distinct =
        std::clamp<int64_t>(std::llround(hll_->Estimate()), kExactCategoryCap + 1, count);
    out->distinct_exact = false;
    out->distinct_relative_standard_error = HyperLogLog::RelativeStandardError();
    for (const TopK::Entry& e : top_.Top(kTopValues)) {
      out->top_values.push_back({e.item, e.count, e.error});
    }
    out->top_values_exact = false;
  }

 private:
  void Spill() {
    hll_ = std::make_unique<HyperLogLog>();
    std::vector<std::pair<std::string, int64_t>> entries(exact_.begin(), exact_.end());
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    exact_.clear();
    overflow_ = true;
    for (const auto& [value, count] : entries) {
      top_.Add(value, count);
      hll_->AddHash(HashBytes(value));
    }
  }

  std::unordered_map<std::string, int64_t> exact_;
  bool overflow_ = false;
  TopK top_{kTopKCapacity};
  std::unique_ptr<HyperLogLog> hll_;  // 16 KiB, allocated only past the exact cap
};

// Sum, minimum and maximum with four independent accumulators, so the loop is not bound by
// the latency of one addition chain. The order is fixed, so results are deterministic.
void SumMinMax(std::span<const double> v, double* sum, double* lo, double* hi) {
  double s[4] = {0, 0, 0, 0};
  double mn[4] = {v[0], v[0], v[0], v[0]};
  double mx[4] = {v[0], v[0], v[0], v[0]};
  size_t i = 0;
  for (; i + 4 <= v.size(); i += 4) {
    for (size_t k = 0; k < 4; ++k) {
      s[k] += v[i + k];
      mn[k] = v[i + k] < mn[k] ? v[i + k] : mn[k];
      mx[k] = v[i + k] > mx[k] ? v[i + k] : mx[k];
    }
  }
  for (; i < v.size(); ++i) {
    s[0] += v[i];
    mn[0] = v[i] < mn[0] ? v[i] : mn[0];
    mx[0] = v[i] > mx[0] ? v[i] : mx[0];
  }
  *sum = (s[0] + s[1]) + (s[2] + s[3]);
  *lo = std::min(std::min(mn[0], mn[1]), std::min(mn[2], mn[3]));
  *hi = std::max(std::max(mx[0], mx[1]), std::max(mx[2], mx[3]));
}

double SquaredDeviations(std::span<const double> v, double mean) {
  double s[4] = {0, 0, 0, 0};
  size_t i = 0;
  for (; i + 4 <= v.size(); i += 4) {
    for (size_t k = 0; k < 4; ++k) s[k] += (v[i + k] - mean) * (v[i + k] - mean);
  }
  for (; i < v.size(); ++i) s[0] += (v[i] - mean) * (v[i] - mean);
  return (s[0] + s[1]) + (s[2] + s[3]);
}

NumericPartial SummariseNumbers(const Column& column, bool try_exact) {
  thread_local std::vector<double> buffer;
  NumericPartial p;
  Moments& m = p.moments;
  const auto rows = static_cast<size_t>(column.size());
  // The finite values of the batch: the column itself when it has no nulls and no
  // infinities (the common case, detected by finite extremes), otherwise a filtered copy.
  std::span<const double> values;
  double sum = 0;
  bool summed = false;
  if (column.type() == DataType::kFloat64 && column.null_count() == 0 && rows > 0) {
    std::span<const double> data = column.float64s();
    SumMinMax(data, &sum, &m.min, &m.max);
    if (std::isfinite(m.min) && std::isfinite(m.max)) {
      values = data;
      summed = true;
    }
  }
  if (!summed) {
    buffer.clear();
    buffer.reserve(rows);
    for (size_t r = 0; r < rows; ++r) {
      if (!column.IsValid(static_cast<int64_t>(r))) continue;
      double v = column.type() == DataType::kFloat64 ? column.float64s()[r]
                                                     : static_cast<double>(column.int64s()[r]);
      if (std::isinf(v)) {
        ++(v > 0 ? m.positive_infinities : m.negative_infinities);
      } else {
        buffer.push_back(v);
      }
    }
    values = buffer;
    m.min = std::numeric_limits<double>::infinity();
    m.max = -std::numeric_limits<double>::infinity();
    if (!values.empty()) SumMinMax(values, &sum, &m.min, &m.max);
  }
  if (!values.empty()) {
    m.n = static_cast<int64_t>(values.size());
    m.mean = sum / static_cast<double>(m.n);
    if (!std::isfinite(m.mean)) {
      // The sum overflowed: average pre-scaled terms instead (each is finite).
      double scaled = 0;
      const double inverse = 1.0 / static_cast<double>(m.n);
      for (double v : values) scaled += v * inverse;
      m.mean = scaled;
    }
    m.m2 = SquaredDeviations(values, m.mean);
  }
  if (try_exact) {
    auto counter = std::make_unique<internal::ValueCounter>(kExactNumericCap);
    counter->Reserve(std::min(values.size(), kExactNumericCap));
    if (column.type() == DataType::kInt64) {
      p.int_keys = true;
      std::span<const int64_t> ints = column.int64s();
      for (size_t r = 0; r < rows && !counter->overflowed(); ++r) {
        if (column.IsValid(static_cast<int64_t>(r))) counter->Add(static_cast<uint64_t>(ints[r]));
      }
    } else {
      for (double v : values) {
        counter->Add(KeyOf(v));
        if (counter->overflowed()) break;
      }
    }
    if (!counter->overflowed()) {
      p.exact = std::move(counter);
      return p;
    }
    p.int_keys = false;
  }
  p.sketch = std::make_unique<QuantileSketch>(kSketchAccuracy);
  p.hll = std::make_unique<HyperLogLog>();
  p.sketch->AddAll(values);
  for (double v : values) p.hll->AddHash(Mix64(KeyOf(v)));
  return p;
}

bool IsNumeric(DataType t) { return t == DataType::kFloat64 || t == DataType::kInt64; }

}  // namespace

Result<DatasetProfile> ProfileDataset(DatasetReader& reader) {
  const Schema& schema = reader.schema();
  const size_t n = schema.size();
  auto overflowed = std::make_unique<std::atomic<bool>[]>(n);
  for (size_t i = 0; i < n; ++i) overflowed[i].store(false);
  std::vector<NumericAccumulator> numeric;
  numeric.reserve(n);
  for (size_t i = 0; i < n; ++i) numeric.emplace_back(&overflowed[i]);
  std::vector<CategoryAccumulator> categories(n);
  std::vector<int64_t> nulls(n, 0);
  std::vector<int64_t> counts(n, 0);
  std::vector<bool> widened(n, false);

  auto map = [&](const RowBatch& batch) -> Result<BatchPartial> {
    BatchPartial partial;
    partial.columns.resize(n);
    for (size_t i = 0; i < n; ++i) {
      const Column& column = batch.rows.column(i);
      ColumnPartial& p = partial.columns[i];
      switch (column.type()) {
        case DataType::kFloat64:
        case DataType::kInt64:
          p.numeric = SummariseNumbers(column, !overflowed[i].load(std::memory_order_relaxed));
          break;
        case DataType::kBool:
          for (int64_t r = 0; r < column.size(); ++r) {
            if (!column.IsValid(r)) continue;
            ++(column.bools()[static_cast<size_t>(r)] != 0 ? p.true_count : p.false_count);
          }
          break;
        case DataType::kString:
          p.code_counts.assign(column.dictionary().size(), 0);
          for (int32_t code : column.codes()) {
            if (code >= 0) ++p.code_counts[static_cast<size_t>(code)];
          }
          break;
      }
    }
    return partial;
  };
  auto reduce = [&](RowBatch&& batch, BatchPartial&& partial) -> Status {
    for (size_t i = 0; i < n; ++i) {
      const Column& column = batch.rows.column(i);
      ColumnPartial& p = partial.columns[i];
      nulls[i] += column.null_count();
      counts[i] += column.size() - column.null_count();
      if (column.type() != schema.field(i).type) widened[i] = true;
      switch (column.type()) {
        case DataType::kFloat64:
        case DataType::kInt64: numeric[i].Merge(std::move(p.numeric)); break;
        case DataType::kBool:
          if (p.true_count > 0) categories[i].Add("true", p.true_count);
          if (p.false_count > 0) categories[i].Add("false", p.false_count);
          break;
        case DataType::kString:
          for (size_t code = 0; code < p.code_counts.size(); ++code) {
            if (p.code_counts[code] > 0)
              categories[i].Add(column.dictionary()[code], p.code_counts[code]);
          }
          break;
      }
    }
    return OkStatus();
  };
  PROBITY_RETURN_IF_ERROR(ScanDataset<BatchPartial>(reader, map, reduce));

  DatasetProfile profile;
  profile.path = reader.path();
  profile.format = reader.format();
  profile.inference_rows = reader.inference_rows();
  profile.scan = reader.summary();
  profile.on_bad_row = reader.options().on_bad_row;
  profile.threads = reader.options().threads;
  for (size_t i = 0; i < n; ++i) {
    ColumnProfile c;
    c.field = schema.field(i);
    c.widened = widened[i];
    if (widened[i]) c.field.type = DataType::kFloat64;
    c.count = counts[i];
    c.nulls = nulls[i];
    if (IsNumeric(c.field.type)) {
      numeric[i].Finish(c.field.type, &c);
    } else {
      categories[i].Finish(c.count, &c);
    }
    std::vector<std::string> top;
    for (const ValueCount& v : c.top_values) top.push_back(v.value);
    std::optional<FacetCandidate> facet = DetectFacetCandidate(
        c.field.name, c.field.type == DataType::kString ? top : std::vector<std::string>(),
        c.field.role == ColumnRole::kFacet);
    if (facet) profile.candidate_facets.push_back(std::move(*facet));
    profile.columns.push_back(std::move(c));
  }
  return profile;
}

std::string DatasetProfile::ToJson() const {
  nlohmann::ordered_json doc = MachineDocument("probity.data.profile/1");
  nlohmann::ordered_json source;
  source["path"] = path;
  source["digest"] = scan.digest.ToString();
  source["size_bytes"] = scan.stored_bytes;
  source["compression"] = std::string(CompressionName(format.compression));
  source["text_bytes"] = scan.text_bytes;
  doc["source"] = source;

  nlohmann::ordered_json fmt_json;
  fmt_json["type"] = std::string(FileFormatName(format.type));
  if (format.type == FileFormat::kCsv) {
    fmt_json["delimiter"] = DelimiterName(format.delimiter);
    fmt_json["delimiter_detected"] = format.delimiter_detected;
    fmt_json["header"] = format.header;
    fmt_json["header_detected"] = format.header_detected;
    fmt_json["quote"] = std::string(1, format.quote);
    fmt_json["trim"] = format.trim;
  }
  fmt_json["byte_order_mark"] = format.byte_order_mark;
  fmt_json["missing_tokens"] = format.missing_tokens;
  doc["format"] = fmt_json;
  doc["schema_source"] = inference_rows > 0 || columns.empty() || columns[0].field.inferred
                             ? "inferred"
                             : "schema file";
  doc["inference_rows"] = inference_rows;

  doc["rows"] = scan.rows;
  doc["blank_lines"] = scan.blank_lines;
  nlohmann::ordered_json bad;
  bad["policy"] = on_bad_row == BadRowPolicy::kFail ? "fail" : "skip";
  bad["skipped"] = scan.skipped_rows;
  nlohmann::ordered_json examples = nlohmann::ordered_json::array();
  for (const Status& s : scan.skipped_examples) examples.push_back(s.ToString());
  bad["examples"] = examples;
  doc["bad_rows"] = bad;

  nlohmann::ordered_json cols = nlohmann::ordered_json::array();
  for (const ColumnProfile& c : columns) {
    nlohmann::ordered_json j;
    j["name"] = c.field.name;
    j["type"] = std::string(DataTypeName(c.field.type));
    j["role"] = std::string(ColumnRoleName(c.field.role));
    j["type_inferred"] = c.field.inferred;
    j["widened"] = c.widened;
    j["count"] = c.count;
    j["nulls"] = c.nulls;
    int64_t total = c.count + c.nulls;
    if (total > 0) {
      j["null_fraction"] = static_cast<double>(c.nulls) / static_cast<double>(total);
    } else {
      SetUndefined(j, "null_fraction", "no rows");
    }
    nlohmann::ordered_json distinct;
    distinct["value"] = c.distinct;
    distinct["exact"] = c.distinct_exact;
    if (c.distinct_exact) {
      distinct["relative_standard_error"] = 0;
    } else {
      distinct["relative_standard_error"] = c.distinct_relative_standard_error;
    }
    j["distinct"] = distinct;
    if (c.numeric) {
      const NumericSummary& s = *c.numeric;
      nlohmann::ordered_json num;
      num["min"] = JsonNumber(s.min);
      num["max"] = JsonNumber(s.max);
      if (s.mean) {
        num["mean"] = JsonNumber(*s.mean);
      } else {
        SetUndefined(num, "mean", s.mean_reason);
      }
      if (s.std) {
        num["std"] = JsonNumber(*s.std);
      } else {
        SetUndefined(num, "std", s.std_reason);
      }
      num["infinities"] = s.infinities;
      if (s.has_quantiles) {
        nlohmann::ordered_json q;
        for (size_t k = 0; k < kProfileQuantiles.size(); ++k) {
          q[fmt::format("p{}", static_cast<int>(std::lround(kProfileQuantiles[k] * 100)))] =
              JsonNumber(s.quantiles[k]);
        }
        num["quantiles"] = q;
      } else {
        SetUndefined(num, "quantiles", "no finite values");
      }
      num["quantiles_exact"] = s.quantiles_exact;
      if (s.quantile_relative_error) {
        num["quantile_relative_error"] = *s.quantile_relative_error;
      } else {
        SetUndefined(num, "quantile_relative_error",
                     "the values span more than about 2^65 in magnitude, so the sketch merged its "
                     "smallest-magnitude buckets and no error bound holds for them");
      }
      j["numeric"] = num;
    } else if (IsNumeric(c.field.type)) {
      SetUndefined(j, "numeric", "no values");
    } else {
      SetUndefined(j, "numeric", "not a numeric column");
    }
    nlohmann::ordered_json top = nlohmann::ordered_json::array();
    for (const ValueCount& v : c.top_values) {
      nlohmann::ordered_json e;
      e["value"] = v.value;
      e["count"] = v.count;
      e["count_error"] = v.count_error;
      top.push_back(e);
    }
    j["top_values"] = top;
    j["top_values_exact"] = c.top_values_exact;
    cols.push_back(j);
  }
  doc["columns"] = cols;

  nlohmann::ordered_json facets = nlohmann::ordered_json::array();
  for (const FacetCandidate& f : candidate_facets) {
    nlohmann::ordered_json j;
    j["column"] = f.column;
    j["attribute"] = f.attribute;
    j["evidence"] = f.evidence;
    j["detail"] = f.detail;
    facets.push_back(j);
  }
  doc["candidate_facets"] = facets;
  return DumpJson(doc);
}

namespace {

std::string Short(double v, DataType type) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (type == DataType::kInt64 && std::abs(v) < 1e15 && v == std::floor(v)) {
    return fmt::format("{}", static_cast<int64_t>(v));
  }
  return fmt::format("{:.6g}", v);
}

std::string Clip(std::string s, size_t width) {
  if (s.size() <= width) return s;
  return s.substr(0, width - 1) + "~";
}

}  // namespace

std::string DatasetProfile::ToText() const {
  std::string out;
  out += fmt::format("{}\n  {} ({} bytes{}), {}", path, scan.digest.ToString(), scan.stored_bytes,
                     format.compression == Compression::kNone
                         ? std::string()
                         : ", " + std::string(CompressionName(format.compression)),
                     FileFormatName(format.type));
  if (format.type == FileFormat::kCsv) {
    out += fmt::format(", delimiter {}, {}",
                       format.delimiter == ' ' || format.delimiter == '\t'
                           ? DelimiterName(format.delimiter)
                           : "\"" + DelimiterName(format.delimiter) + "\"",
                       format.header ? "header row" : "no header");
  }
  out += fmt::format("\n  {} rows, {} columns, {} bad rows skipped, {} blank lines\n", scan.rows,
                     columns.size(), scan.skipped_rows, scan.blank_lines);
  if (inference_rows > 0) {
    out += fmt::format("  column types inferred from the first {} rows\n", inference_rows);
  }
  out += "\n";
  out += fmt::format("  {:<26} {:<8} {:<8} {:>8} {:>9} {:>10} {:>10} {:>10}  {}\n", "column",
                     "type", "role", "nulls", "distinct", "min", "median", "max", "top values");
  for (const ColumnProfile& c : columns) {
    std::string distinct = fmt::format("{}{}", c.distinct_exact ? "" : "~", c.distinct);
    std::string lo, mid, hi;
    if (c.numeric) {
      lo = Short(c.numeric->min, c.field.type);
      hi = Short(c.numeric->max, c.field.type);
      if (c.numeric->has_quantiles) mid = Short(c.numeric->quantiles[2], c.field.type);
    }
    std::string top;
    if (!IsNumeric(c.field.type)) {
      for (size_t i = 0; i < c.top_values.size() && i < 3; ++i) {
        top += (i > 0 ? ", " : "") + Clip(c.top_values[i].value, 24) +
               fmt::format(" ({})", c.top_values[i].count);
      }
      if (c.distinct > 3) top += ", ...";
    }
    out += fmt::format("  {:<26} {:<8} {:<8} {:>8} {:>9} {:>10} {:>10} {:>10}  {}\n",
                       Clip(c.field.name, 26), DataTypeName(c.field.type),
                       ColumnRoleName(c.field.role), c.nulls, distinct, lo, mid, hi, top);
  }
  if (!candidate_facets.empty()) {
    out += "\n  Candidate facets (protected attributes to check for bias):\n";
    for (const FacetCandidate& f : candidate_facets) {
      out += fmt::format("    {:<26} {:<18} {}\n", Clip(f.column, 26), f.attribute, f.detail);
    }
  }
  for (const Status& s : scan.skipped_examples) out += "  skipped: " + s.ToString() + "\n";
  return out;
}

}  // namespace probity::ingest
