#include "fairness/collect.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <random>
#include <unordered_map>

#include "audit/core/status.h"

namespace probity::fairness {
namespace {

// Columns of the batch schema the spec names (the schema is the same for every batch).
struct Bound {
  std::optional<size_t> label;  // none: every row counts as label-unfavourable
  std::optional<size_t> prediction, score, stratum, weight;
  std::vector<size_t> facets;
  std::vector<size_t> features;
};

std::string NumberText(double v) {
  if (v == std::floor(v) && std::abs(v) < 1e15) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);
}

// The value at `row` as text (for level names and messages); "" for a null.
std::string ValueText(const Column& column, int64_t row) {
  if (!column.IsValid(row)) return "";
  switch (column.type()) {
    case DataType::kString: return std::string(column.StringAt(row));
    case DataType::kBool: return column.bools()[static_cast<size_t>(row)] ? "true" : "false";
    case DataType::kInt64: return std::to_string(column.int64s()[static_cast<size_t>(row)]);
    case DataType::kFloat64: return NumberText(column.float64s()[static_cast<size_t>(row)]);
  }
  return "";
}

std::optional<double> ParseNumber(std::string_view text) {
  double v = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// A set of values given on the command line, matched against any column type.
class ValueSet {
 public:
  explicit ValueSet(const std::vector<std::string>& values) : text_(values) {
    for (const std::string& v : values) {
      if (auto n = ParseNumber(v)) numbers_.push_back(*n);
      if (v == "true" || v == "1") bools_ |= 2;
      if (v == "false" || v == "0") bools_ |= 1;
    }
  }
  bool empty() const { return text_.empty(); }

  // Per row: -1 missing, 0 not in the set, 1 in the set.
  std::vector<int8_t> Classify(const Column& column) const {
    const auto n = static_cast<size_t>(column.size());
    std::vector<int8_t> out(n, -1);
    switch (column.type()) {
      case DataType::kString: {
        std::vector<int8_t> by_code(column.dictionary().size());
        for (size_t c = 0; c < by_code.size(); ++c) {
          by_code[c] = std::find(text_.begin(), text_.end(), column.dictionary()[c]) != text_.end();
        }
        const auto codes = column.codes();
        for (size_t i = 0; i < n; ++i) {
          if (codes[i] >= 0) out[i] = by_code[static_cast<size_t>(codes[i])];
        }
        break;
      }
      case DataType::kBool:
        for (size_t i = 0; i < n; ++i) {
          if (column.IsValid(static_cast<int64_t>(i))) {
            out[i] = (bools_ >> (column.bools()[i] ? 1 : 0)) & 1;
          }
        }
        break;
      default:
        for (size_t i = 0; i < n; ++i) {
          const double v = column.NumberAt(static_cast<int64_t>(i));
          if (!std::isnan(v)) {
            out[i] = std::find(numbers_.begin(), numbers_.end(), v) != numbers_.end();
          }
        }
        break;
    }
    return out;
  }

  std::string Describe() const { return "in {" + fmt::format("{}", fmt::join(text_, ", ")) + "}"; }

 private:
  std::vector<std::string> text_;
  std::vector<double> numbers_;
  int bools_ = 0;  // bit 1: true is in the set; bit 0: false is
};

Status UnknownColumn(const std::string& file, std::string_view role, const std::string& name,
                     const Schema& schema) {
  std::string columns;
  for (const Field& f : schema.fields()) columns += (columns.empty() ? "" : ", ") + f.name;
  return InvalidArgumentError(
             fmt::format("{}: the {} column \"{}\" does not exist", file, role, name))
      .Expecting("one of the file's columns: " + columns);
}

Result<size_t> Resolve(const std::string& file, std::string_view role, const std::string& name,
                       const Schema& schema) {
  std::optional<size_t> i = schema.IndexOf(name);
  if (!i) return UnknownColumn(file, role, name, schema);
  return *i;
}

Status NotNumeric(const std::string& file, std::string_view role, const Field& field) {
  return InvalidArgumentError(fmt::format("{}: the {} column \"{}\" is {}", file, role, field.name,
                                          DataTypeName(field.type)))
      .Expecting("a numeric column (int64 or float64)");
}

bool IsNumeric(DataType t) { return t == DataType::kInt64 || t == DataType::kFloat64; }

Result<Bound> BindColumns(const std::string& file, const Schema& schema, const CollectSpec& spec) {
  Bound b;
  if (!spec.label.empty()) {
    PROBITY_ASSIGN_OR_RETURN(size_t l, Resolve(file, "label", spec.label, schema));
    b.label = l;
    const Field& label = schema.field(l);
    if (spec.task == Task::kRegression || spec.label_threshold) {
      if (!IsNumeric(label.type)) return NotNumeric(file, "label", label);
    }
  } else if (spec.task != Task::kBinary) {
    return InvalidArgumentError("no label column").Expecting("--label COLUMN");
  }
  if (spec.prediction == PredictionKind::kColumn) {
    PROBITY_ASSIGN_OR_RETURN(size_t p, Resolve(file, "prediction", spec.prediction_column, schema));
    b.prediction = p;
    if (spec.task == Task::kRegression && !IsNumeric(schema.field(p).type)) {
      return NotNumeric(file, "prediction", schema.field(p));
    }
  }
  if (!spec.score_column.empty()) {
    PROBITY_ASSIGN_OR_RETURN(size_t s, Resolve(file, "score", spec.score_column, schema));
    if (!IsNumeric(schema.field(s).type)) return NotNumeric(file, "score", schema.field(s));
    b.score = s;
  }
  if (!spec.group_variable.empty()) {
    PROBITY_ASSIGN_OR_RETURN(size_t g,
                             Resolve(file, "group variable", spec.group_variable, schema));
    b.stratum = g;
  }
  if (!spec.weight.empty()) {
    PROBITY_ASSIGN_OR_RETURN(size_t w, Resolve(file, "weight", spec.weight, schema));
    if (!IsNumeric(schema.field(w).type)) return NotNumeric(file, "weight", schema.field(w));
    b.weight = w;
  }
  for (const FacetSpec& facet : spec.facets) {
    PROBITY_ASSIGN_OR_RETURN(size_t f, Resolve(file, "facet", facet.column, schema));
    if (!facet.edges.empty() && !IsNumeric(schema.field(f).type)) {
      return NotNumeric(file, "facet (with bins or a threshold)", schema.field(f));
    }
    b.facets.push_back(f);
  }
  for (const std::string& name : spec.sample_features) {
    PROBITY_ASSIGN_OR_RETURN(size_t f, Resolve(file, "feature", name, schema));
    if (!IsNumeric(schema.field(f).type) && schema.field(f).type != DataType::kBool) {
      return NotNumeric(file, "feature (for the kNN metrics)", schema.field(f));
    }
    b.features.push_back(f);
  }
  return b;
}

// The code of every row's value, given by `intern` for each distinct value's text (the
// missing value as kMissingLevel): by dictionary code for strings, by value otherwise, so
// each distinct value is turned into text once per batch.
template <typename Intern>
std::vector<int32_t> ValueCodes(const Column& column, Intern&& intern) {
  const auto n = static_cast<size_t>(column.size());
  std::vector<int32_t> out(n);
  int32_t missing = -1;
  auto missing_code = [&] {
    if (missing < 0) missing = intern(kMissingLevel);
    return missing;
  };
  if (column.type() == DataType::kString) {
    std::vector<int32_t> by_code(column.dictionary().size(), -1);
    const auto codes = column.codes();
    for (size_t i = 0; i < n; ++i) {
      const int32_t c = codes[i];
      if (c < 0) {
        out[i] = missing_code();
        continue;
      }
      auto& code = by_code[static_cast<size_t>(c)];
      if (code < 0) code = intern(column.dictionary()[static_cast<size_t>(c)]);
      out[i] = code;
    }
    return out;
  }
  std::unordered_map<double, int32_t> by_value;
  for (size_t i = 0; i < n; ++i) {
    const auto row = static_cast<int64_t>(i);
    if (!column.IsValid(row)) {
      out[i] = missing_code();
      continue;
    }
    auto [it, fresh] = by_value.try_emplace(column.NumberAt(row), 0);
    if (fresh) it->second = intern(ValueText(column, row));
    out[i] = it->second;
  }
  return out;
}

// The level code of every row of a facet column, interned into `stats`.
std::vector<int32_t> LevelCodes(const Column& column, const FacetSpec& facet, size_t f,
                                FairnessStatistics& stats) {
  auto intern = [&](std::string_view level) { return stats.InternLevel(f, level); };
  if (facet.edges.empty()) return ValueCodes(column, intern);
  const auto n = static_cast<size_t>(column.size());
  std::vector<int32_t> out(n);
  std::vector<int32_t> bin_code(facet.edges.size() + 1, -1);
  int32_t missing = -1;
  for (size_t i = 0; i < n; ++i) {
    const double v = column.NumberAt(static_cast<int64_t>(i));
    if (std::isnan(v)) {
      if (missing < 0) missing = intern(kMissingLevel);
      out[i] = missing;
      continue;
    }
    const auto bin = static_cast<size_t>(
        std::lower_bound(facet.edges.begin(), facet.edges.end(), v) - facet.edges.begin());
    if (bin_code[bin] < 0) bin_code[bin] = intern(BinLevel(facet.edges, bin));
    out[i] = bin_code[bin];
  }
  return out;
}

// The stratum code of every row (a missing value is its own stratum).
std::vector<int32_t> StratumCodes(const Column& column, FairnessStatistics& stats) {
  return ValueCodes(column, [&](std::string_view s) { return stats.InternStratum(s); });
}

void Bump(Confusion& c, bool y, bool p, double w) {
  if (y) {
    (p ? c.tp : c.fn) += w;
  } else {
    (p ? c.fp : c.tn) += w;
  }
}

// What the map step hands to the reduce step for one batch.
struct BatchPartial {
  FairnessStatistics stats;
  // Rows eligible for the kNN sample (all features present), batch-local level codes.
  std::vector<double> features;
  std::vector<uint8_t> labels, predictions;
  std::vector<std::vector<int32_t>> levels;
  // With a row callback: per row, its batch-local mixed-radix cell key (-1 = left out) and
  // label, and the radices to decode the key.
  std::vector<int64_t> row_cells;
  std::vector<uint8_t> row_labels;
  std::vector<size_t> radix;
};

CellKey DecodeKey(uint64_t key, const std::vector<size_t>& radix) {
  CellKey decoded(radix.size());
  decoded.back() = static_cast<int32_t>(key % radix.back());
  key /= radix.back();
  for (size_t f = 0; f + 1 < radix.size(); ++f) {
    decoded[f] = static_cast<int32_t>(key % radix[f]);
    key /= radix[f];
  }
  return decoded;
}

class Collector {
 public:
  Collector(const ingest::DatasetReader& reader, const CollectSpec& spec, Bound bound)
      : file_(reader.path()),
        spec_(spec),
        bound_(std::move(bound)),
        layout_(LayoutFor(spec)),
        favourable_(spec.favourable),
        predicted_favourable_(spec.predicted_favourable.empty() ? spec.favourable
                                                                : spec.predicted_favourable) {}

  Status Prepare() {
    if (spec_.prediction == PredictionKind::kModel) {
      const ModelInfo& info = spec_.model->info();
      if (spec_.task == Task::kBinary) {
        if (info.task != ModelTask::kClassification) {
          return InvalidArgumentError("the model is a " + std::string(ModelTaskName(info.task)) +
                                      " model")
              .Expecting("a classifier for a binary fairness analysis (or --task regression)");
        }
        const std::vector<std::string>& wanted =
            spec_.predicted_favourable.empty() ? spec_.favourable : spec_.predicted_favourable;
        for (size_t k = 0; k < info.classes.size(); ++k) {
          if (std::find(wanted.begin(), wanted.end(), info.classes[k]) != wanted.end()) {
            favourable_classes_.push_back(static_cast<int32_t>(k));
          }
        }
        if (favourable_classes_.empty()) {
          return InvalidArgumentError(
                     fmt::format("none of the model's classes ({}) is a favourable value ({})",
                                 fmt::join(info.classes, ", "), fmt::join(wanted, ", ")))
              .Expecting(
                  "--predicted-positive naming the model's favourable class (when the "
                  "model's class names differ from the label's values)");
        }
      } else if (spec_.task == Task::kMulticlass) {
        if (spec_.classes != info.classes) {
          return InvalidArgumentError("the classes differ from the model's")
              .Expecting(fmt::format("the model's classes ({})", fmt::join(info.classes, ", ")));
        }
      }
    }
    return OkStatus();
  }

  Result<BatchPartial> Map(const RowBatch& batch) const {
    BatchPartial out{FairnessStatistics(layout_), {}, {}, {}, {}};
    FairnessStatistics& stats = out.stats;
    const Table& t = batch.rows;
    const auto n = static_cast<size_t>(t.num_rows());
    RowCounts& counts = stats.mutable_row_counts();
    counts.read = t.num_rows();

    std::vector<std::vector<int32_t>> levels;
    for (size_t f = 0; f < spec_.facets.size(); ++f) {
      levels.push_back(LevelCodes(t.column(bound_.facets[f]), spec_.facets[f], f, stats));
    }
    std::vector<int32_t> strata = bound_.stratum ? StratumCodes(t.column(*bound_.stratum), stats)
                                                 : std::vector<int32_t>(n, 0);

    // Labels: favourable flag (binary), class index (multiclass) or value (regression).
    static const Column kNoColumn;
    const Column& label = bound_.label ? t.column(*bound_.label) : kNoColumn;
    std::vector<int8_t> y_flag;
    std::vector<int32_t> y_class;
    if (!bound_.label) {
      y_flag.assign(n, 0);
    } else if (spec_.task == Task::kBinary) {
      if (spec_.label_threshold) {
        y_flag.assign(n, -1);
        for (size_t i = 0; i < n; ++i) {
          const double v = label.NumberAt(static_cast<int64_t>(i));
          if (!std::isnan(v)) y_flag[i] = v > *spec_.label_threshold;
        }
      } else {
        y_flag = favourable_.Classify(label);
      }
    } else if (spec_.task == Task::kMulticlass) {
      PROBITY_ASSIGN_OR_RETURN(y_class, ClassIndices(label, batch, "label"));
    }

    // Predictions and scores.
    std::vector<int8_t> p_flag;
    std::vector<int32_t> p_class;
    std::vector<double> p_value, score;
    if (spec_.prediction == PredictionKind::kColumn) {
      const Column& pred = t.column(*bound_.prediction);
      if (spec_.task == Task::kBinary) {
        p_flag = predicted_favourable_.Classify(pred);
      } else if (spec_.task == Task::kMulticlass) {
        PROBITY_ASSIGN_OR_RETURN(p_class, ClassIndices(pred, batch, "prediction"));
      } else {
        p_value.resize(n);
        for (size_t i = 0; i < n; ++i) p_value[i] = pred.NumberAt(static_cast<int64_t>(i));
      }
    } else if (spec_.prediction == PredictionKind::kModel) {
      PROBITY_ASSIGN_OR_RETURN(Predictions pred, spec_.model->Predict(t));
      if (spec_.task == Task::kRegression) {
        p_value.resize(n);
        for (size_t i = 0; i < n; ++i) p_value[i] = pred.Value(static_cast<int64_t>(i));
      } else if (spec_.task == Task::kMulticlass) {
        p_class.assign(pred.labels.begin(), pred.labels.end());
      } else {
        p_flag.assign(n, -1);
        const bool probabilities = !pred.probabilities.empty();
        if (probabilities) score.assign(n, std::nan(""));
        for (size_t i = 0; i < n; ++i) {
          const auto row = static_cast<int64_t>(i);
          if (probabilities) {
            double s = 0;
            for (int32_t k : favourable_classes_)
              s += pred.Probability(row, static_cast<size_t>(k));
            score[i] = s;
          }
          if (spec_.threshold && probabilities) {
            if (!std::isnan(score[i])) p_flag[i] = score[i] > *spec_.threshold;
          } else if (pred.labels[i] >= 0) {
            p_flag[i] = std::find(favourable_classes_.begin(), favourable_classes_.end(),
                                  pred.labels[i]) != favourable_classes_.end();
          }
        }
      }
    }
    if (bound_.score) {
      const Column& s = t.column(*bound_.score);
      score.resize(n);
      for (size_t i = 0; i < n; ++i) score[i] = s.NumberAt(static_cast<int64_t>(i));
      if (spec_.prediction == PredictionKind::kScore) {
        p_flag.assign(n, -1);
        for (size_t i = 0; i < n; ++i) {
          if (std::isfinite(score[i])) p_flag[i] = score[i] > spec_.threshold.value_or(0.5);
        }
      }
    }

    // Weights.
    std::vector<double> weights;
    if (bound_.weight) {
      const Column& w = t.column(*bound_.weight);
      weights.resize(n);
      for (size_t i = 0; i < n; ++i) {
        const double v = w.NumberAt(static_cast<int64_t>(i));
        if (!std::isfinite(v) || v < 0) {
          return InvalidArgumentError(
                     fmt::format("{}: row {} of the batch starting at line {}: weight \"{}\" is {}",
                                 file_, i + 1, batch.first_line, spec_.weight,
                                 std::isnan(v) ? "missing" : NumberText(v)))
              .Expecting("a finite, non-negative weight on every row");
        }
        weights[i] = v;
      }
    }

    // Dense batch-local cells, keyed by a mixed-radix index of the level codes.
    std::vector<size_t> radix;
    for (size_t f = 0; f < levels.size(); ++f) radix.push_back(stats.levels()[f].size());
    radix.push_back(std::max<size_t>(stats.strata().size(), 1));
    std::unordered_map<uint64_t, CellStats> cells;
    const bool has_pred = layout_.has_predictions;
    const size_t k_classes = spec_.classes.size();
    const size_t k_pred = has_pred ? k_classes : 1;
    const bool sample = !bound_.features.empty() && spec_.sample_rows > 0;
    if (sample) out.levels.resize(levels.size());
    if (want_rows_) {
      out.row_cells.assign(n, -1);
      out.row_labels.assign(n, 0);
    }

    CellStats* cell = nullptr;
    uint64_t cell_key = UINT64_MAX;
    for (size_t i = 0; i < n; ++i) {
      const double w = weights.empty() ? 1.0 : weights[i];
      // Label.
      bool y = false;
      int32_t yc = -1;
      double yv = 0;
      if (spec_.task == Task::kBinary) {
        if (y_flag[i] < 0) {
          ++counts.label_missing;
          continue;
        }
        y = y_flag[i] == 1;
      } else if (spec_.task == Task::kMulticlass) {
        yc = y_class[i];
        if (yc < 0) {
          ++counts.label_missing;
          continue;
        }
      } else {
        yv = label.NumberAt(static_cast<int64_t>(i));
        if (std::isnan(yv)) {
          ++counts.label_missing;
          continue;
        }
      }
      // Prediction.
      bool p = false;
      int32_t pc = 0;
      double pv = 0;
      if (has_pred) {
        if (spec_.task == Task::kBinary) {
          if (p_flag[i] < 0) {
            ++(spec_.prediction == PredictionKind::kScore ? counts.score_invalid
                                                          : counts.prediction_missing);
            continue;
          }
          p = p_flag[i] == 1;
        } else if (spec_.task == Task::kMulticlass) {
          pc = p_class[i];
          if (pc < 0) {
            ++counts.prediction_missing;
            continue;
          }
        } else {
          pv = p_value[i];
          if (!std::isfinite(pv)) {
            ++counts.prediction_missing;
            continue;
          }
        }
      }
      const bool scored = layout_.has_scores && spec_.task == Task::kBinary;
      if (scored && !std::isfinite(score[i])) {
        ++counts.score_invalid;
        continue;
      }
      // Cell.
      uint64_t key = 0;
      for (size_t f = levels.size(); f-- > 0;)
        key = key * radix[f] + static_cast<uint64_t>(levels[f][i]);
      key = key * radix.back() + static_cast<uint64_t>(strata[i]);
      if (key != cell_key) {
        cell = &cells[key];
        cell_key = key;
      }
      ++counts.used;
      if (want_rows_) {
        out.row_cells[i] = static_cast<int64_t>(key);
        out.row_labels[i] = y ? 1 : 0;
      }
      switch (spec_.task) {
        case Task::kBinary:
          Bump(cell->weighted, y, p, w);
          Bump(cell->rows, y, p, 1);
          if (scored) cell->scores[y ? 1 : 0].Add(score[i], w);
          break;
        case Task::kMulticlass: {
          if (cell->class_matrix.empty()) cell->class_matrix.assign(2 * k_classes * k_pred, 0.0);
          const size_t at = static_cast<size_t>(yc) * k_pred + static_cast<size_t>(pc);
          cell->class_matrix[at] += w;
          cell->class_matrix[k_classes * k_pred + at] += 1;
          break;
        }
        case Task::kRegression: {
          RegressionSums& r = cell->regression;
          r.weight += w;
          r.rows += 1;
          r.label += w * yv;
          if (has_pred) {
            r.prediction += w * pv;
            r.absolute_error += w * std::abs(pv - yv);
            r.squared_error += w * (pv - yv) * (pv - yv);
            cell->scores[0].Add(pv, w);
          }
          cell->scores[1].Add(yv, w);
          break;
        }
      }
      if (sample && spec_.task == Task::kBinary) AddSampleRow(t, i, y, p, levels, out);
    }
    // Hand the cells over with their decoded keys.
    for (auto& [key, c] : cells) {
      // Sort the sketches here, on a worker thread, so the in-order reduce only merges.
      static_cast<void>(c.scores[0].entries());
      static_cast<void>(c.scores[1].entries());
      stats.Cell(DecodeKey(key, radix)) = std::move(c);
    }
    out.radix = std::move(radix);
    if (stats.cells().size() > FairnessStatistics::kMaxCells) return TooManyCells();
    return out;
  }

  Status Reduce(BatchPartial&& partial, Collected& total, const RowCallback& rows) {
    PROBITY_RETURN_IF_ERROR(total.statistics.Merge(partial.stats));
    if (rows) PROBITY_RETURN_IF_ERROR(ReportRows(partial, total.statistics, rows));
    if (partial.labels.empty()) return OkStatus();
    // Keep a seeded reservoir sample of the eligible rows, in file order.
    RowSample& s = total.sample;
    const size_t cols = bound_.features.size();
    std::vector<std::vector<int32_t>> global(partial.levels.size());
    for (size_t f = 0; f < partial.levels.size(); ++f) {
      for (int32_t local : partial.levels[f]) {
        global[f].push_back(
            total.statistics.FindLevel(f, partial.stats.levels()[f][static_cast<size_t>(local)]));
      }
    }
    if (s.levels.size() != partial.levels.size()) s.levels.resize(partial.levels.size());
    for (size_t r = 0; r < partial.labels.size(); ++r) {
      const int64_t seen = s.rows_seen++;
      int64_t slot = -1;
      if (seen < spec_.sample_rows) {
        slot = seen;
        s.features.values.resize(s.features.values.size() + cols);
        s.labels.push_back(0);
        if (!partial.predictions.empty()) s.predictions.push_back(0);
        for (auto& l : s.levels) l.push_back(0);
        ++s.features.rows;
      } else {
        std::uniform_int_distribution<int64_t> pick(0, seen);
        const int64_t j = pick(rng_);
        if (j < spec_.sample_rows) slot = j;
      }
      if (slot < 0) continue;
      const auto at = static_cast<size_t>(slot);
      std::copy_n(partial.features.begin() + static_cast<ptrdiff_t>(r * cols), cols,
                  s.features.values.begin() + static_cast<ptrdiff_t>(at * cols));
      s.labels[at] = partial.labels[r];
      if (!partial.predictions.empty()) s.predictions[at] = partial.predictions[r];
      for (size_t f = 0; f < global.size(); ++f) {
        s.levels[f][at] = global[f][static_cast<size_t>(partial.levels[f][r])];
      }
    }
    return OkStatus();
  }

  void SeedSample(uint64_t seed) { rng_.seed(seed); }
  void WantRows() { want_rows_ = true; }

 private:
  // Translates the batch's cell keys to the merged statistics' codes, by name.
  static Status ReportRows(const BatchPartial& partial, const FairnessStatistics& total,
                           const RowCallback& rows) {
    const FairnessStatistics& local = partial.stats;
    std::vector<std::vector<int32_t>> level_map(local.levels().size());
    for (size_t f = 0; f < level_map.size(); ++f) {
      for (const std::string& name : local.levels()[f])
        level_map[f].push_back(total.FindLevel(f, name));
    }
    std::vector<int32_t> stratum_map;
    for (const std::string& name : local.strata()) {
      const auto& all = total.strata();
      stratum_map.push_back(
          static_cast<int32_t>(std::find(all.begin(), all.end(), name) - all.begin()));
    }
    std::vector<RowOutcome> outcomes(partial.row_cells.size());
    for (size_t i = 0; i < outcomes.size(); ++i) {
      if (partial.row_cells[i] < 0) continue;
      CellKey key = DecodeKey(static_cast<uint64_t>(partial.row_cells[i]), partial.radix);
      for (size_t f = 0; f + 1 < key.size(); ++f)
        key[f] = level_map[f][static_cast<size_t>(key[f])];
      key.back() = stratum_map.empty() ? 0 : stratum_map[static_cast<size_t>(key.back())];
      outcomes[i] = RowOutcome{std::move(key), partial.row_labels[i] == 1};
    }
    return rows(outcomes);
  }

  Status TooManyCells() const {
    return InvalidArgumentError(fmt::format("{}: the facets and group variable make more than {} "
                                            "cells",
                                            file_, FairnessStatistics::kMaxCells))
        .Expecting("fewer facet-level combinations: bin numeric facets (--bins COL=E1,E2)");
  }

  // Class index per row (-1 for a missing value); an unknown class is an error.
  Result<std::vector<int32_t>> ClassIndices(const Column& column, const RowBatch& batch,
                                            std::string_view role) const {
    const auto n = static_cast<size_t>(column.size());
    std::vector<int32_t> out(n, -1);
    for (size_t i = 0; i < n; ++i) {
      const auto row = static_cast<int64_t>(i);
      if (!column.IsValid(row)) continue;
      const std::string text = ValueText(column, row);
      auto it = std::find(spec_.classes.begin(), spec_.classes.end(), text);
      if (it == spec_.classes.end()) {
        return InvalidArgumentError(
                   fmt::format("{}: row {} of the batch starting at line {}: the {} \"{}\" is not "
                               "one of the classes",
                               file_, i + 1, batch.first_line, role, text))
            .Expecting(fmt::format("one of {}", fmt::join(spec_.classes, ", ")));
      }
      out[i] = static_cast<int32_t>(it - spec_.classes.begin());
    }
    return out;
  }

  void AddSampleRow(const Table& t, size_t i, bool y, bool p,
                    const std::vector<std::vector<int32_t>>& levels, BatchPartial& out) const {
    const auto row = static_cast<int64_t>(i);
    const size_t before = out.features.size();
    for (size_t c : bound_.features) {
      const double v = t.column(c).NumberAt(row);
      if (std::isnan(v)) {
        out.features.resize(before);
        return;
      }
      out.features.push_back(v);
    }
    out.labels.push_back(y ? 1 : 0);
    if (layout_.has_predictions) out.predictions.push_back(p ? 1 : 0);
    for (size_t f = 0; f < levels.size(); ++f) out.levels[f].push_back(levels[f][i]);
  }

  std::string file_;
  const CollectSpec& spec_;
  Bound bound_;
  StatisticsLayout layout_;
  ValueSet favourable_;
  ValueSet predicted_favourable_;
  std::vector<int32_t> favourable_classes_;
  std::mt19937_64 rng_;
  bool want_rows_ = false;
};

}  // namespace

std::string BinLevel(const std::vector<double>& edges, size_t bin) {
  const std::string lower = bin == 0 ? "-inf" : NumberText(edges[bin - 1]);
  if (bin == edges.size()) return "(" + lower + ", inf)";
  return "(" + lower + ", " + NumberText(edges[bin]) + "]";
}

StatisticsLayout LayoutFor(const CollectSpec& spec) {
  StatisticsLayout layout;
  layout.task = spec.task;
  layout.label = spec.label;
  if (spec.task == Task::kBinary) {
    layout.favourable = spec.label_threshold ? "> " + NumberText(*spec.label_threshold)
                                             : ValueSet(spec.favourable).Describe();
  }
  if (spec.task == Task::kMulticlass) layout.classes = spec.classes;
  switch (spec.prediction) {
    case PredictionKind::kNone: break;
    case PredictionKind::kModel:
      layout.prediction_source = "model:" + (spec.model->info().format == "external"
                                                 ? std::string("external")
                                                 : spec.model->info().digest.ToString());
      if (spec.task == Task::kBinary) {
        layout.prediction_source +=
            " " + ValueSet(spec.predicted_favourable.empty() ? spec.favourable
                                                             : spec.predicted_favourable)
                      .Describe();
      }
      if (spec.threshold) layout.prediction_source += " p > " + NumberText(*spec.threshold);
      break;
    case PredictionKind::kColumn:
      layout.prediction_source = "column:" + spec.prediction_column;
      if (spec.task == Task::kBinary) {
        layout.prediction_source +=
            " " + ValueSet(spec.predicted_favourable.empty() ? spec.favourable
                                                             : spec.predicted_favourable)
                      .Describe();
      }
      break;
    case PredictionKind::kScore:
      layout.prediction_source =
          "score:" + spec.score_column + " > " + NumberText(spec.threshold.value_or(0.5));
      break;
  }
  layout.has_predictions = spec.prediction != PredictionKind::kNone;
  layout.has_scores =
      spec.task == Task::kBinary &&
      (!spec.score_column.empty() || (spec.prediction == PredictionKind::kModel &&
                                      spec.model->info().task == ModelTask::kClassification));
  if (spec.task == Task::kRegression) layout.has_scores = false;
  for (const FacetSpec& f : spec.facets) layout.facets.push_back(f.column);
  layout.group_variable = spec.group_variable;
  layout.weight = spec.weight;
  return layout;
}

Result<Collected> CollectStatistics(ingest::DatasetReader& reader, const CollectSpec& spec,
                                    const RowCallback& rows) {
  PROBITY_ASSIGN_OR_RETURN(Bound bound, BindColumns(reader.path(), reader.schema(), spec));
  for (const FacetSpec& f : spec.facets) {
    if (!std::is_sorted(f.edges.begin(), f.edges.end()) ||
        std::adjacent_find(f.edges.begin(), f.edges.end()) != f.edges.end()) {
      return InvalidArgumentError("the bin edges of facet \"" + f.column + "\" are not increasing")
          .Expecting("strictly increasing edges, e.g. --bins age=25,35,50");
    }
  }
  if (spec.task == Task::kMulticlass && spec.classes.size() < 2) {
    return InvalidArgumentError("a multiclass analysis needs the classes")
        .Expecting("--classes A,B,C (at least two)");
  }
  Collector collector(reader, spec, bound);
  PROBITY_RETURN_IF_ERROR(collector.Prepare());
  collector.SeedSample(spec.sample_seed);
  if (rows) collector.WantRows();
  Collected total{FairnessStatistics(LayoutFor(spec)), {}, {}};
  for (const std::string& name : spec.sample_features) total.sample.features.names.push_back(name);
  total.sample.features.cols = static_cast<int64_t>(spec.sample_features.size());
  PROBITY_RETURN_IF_ERROR(ingest::ScanDataset<BatchPartial>(
      reader, [&](const RowBatch& batch) { return collector.Map(batch); },
      [&](RowBatch&&, BatchPartial&& partial) {
        return collector.Reduce(std::move(partial), total, rows);
      }));
  total.scan = reader.summary();
  return total;
}

}  // namespace probity::fairness
