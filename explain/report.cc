#include "explain/report.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>

#include "audit/core/check.h"
#include "audit/core/json_output.h"
#include "audit/ingest/csv_writer.h"

namespace probity::explain {
namespace {

using ingest::AppendCsvField;
using ingest::AppendCsvNumber;
using Json = nlohmann::ordered_json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void AppendInteger(int64_t value, std::string* out) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out->append(buffer, end);
}

// Each name as a CSV field followed by a comma, computed once per batch.
std::vector<std::string> CsvFields(const std::vector<std::string>& names) {
  std::vector<std::string> fields;
  fields.reserve(names.size());
  for (const std::string& name : names) {
    std::string field;
    AppendCsvField(name, &field);
    field.push_back(',');
    fields.push_back(std::move(field));
  }
  return fields;
}

Json NumberArray(const double* values, size_t n) {
  Json array = Json::array();
  for (size_t i = 0; i < n; ++i) array.push_back(JsonNumber(values[i]));
  return array;
}

// object[key] = value, or null with a reason when `count` is 0.
void SetMean(Json& object, const std::string& key, double value, int64_t count, int64_t rows) {
  if (count > 0) {
    object[key] = JsonNumber(value);
  } else {
    SetUndefined(object, key, rows == 0 ? "no rows were explained" : "every value was NaN");
  }
}

// Pairs i < j among n players.
size_t PairCount(size_t n) { return n < 2 ? 0 : n * (n - 1) / 2; }

bool SampleBefore(uint64_t hash_a, int64_t row_a, uint64_t hash_b, int64_t row_b) {
  return hash_a < hash_b || (hash_a == hash_b && row_a < row_b);
}

// A value of an input frame cell: the dictionary string of a string input, else the number;
// null when missing.
Json CellJson(const InputFrame& frame, size_t j, double value) {
  if (std::isnan(value)) return nullptr;
  if (!frame.is_string[j]) return JsonNumber(value);
  const auto code = static_cast<size_t>(value);
  if (value < 0 || code >= frame.dictionaries[j].size()) return nullptr;
  return frame.dictionaries[j][code];
}

Json RowValuesJson(const InputFrame& frame, const double* values) {
  Json array = Json::array();
  for (size_t j = 0; j < frame.width(); ++j) array.push_back(CellJson(frame, j, values[j]));
  return array;
}

Json MethodHeader(std::string_view method, std::optional<OutputSpace> space) {
  Json doc = Json::object();
  doc["method"] = std::string(method);
  if (space) doc["space"] = std::string(OutputSpaceName(*space));
  return doc;
}

std::string FormatShort(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", value);
  return buffer;
}

}  // namespace

void AppendAttributionCsv(const Attributions& batch, bool header, std::string* out) {
  const size_t players = batch.players.size();
  const size_t outputs = batch.outputs.size();
  const bool multiclass = outputs > 1;
  if (header) {
    if (multiclass) out->append("class,");
    for (const std::string& field : CsvFields(batch.players)) out->append(field);
    out->append("base_value\n");
  }
  const std::vector<std::string> classes = CsvFields(batch.outputs);
  for (int64_t r = 0; r < batch.rows; ++r) {
    for (size_t k = 0; k < outputs; ++k) {
      if (multiclass) out->append(classes[k]);
      for (size_t p = 0; p < players; ++p) {
        AppendCsvNumber(batch.value(r, k, p), out);
        out->push_back(',');
      }
      AppendCsvNumber(batch.base[static_cast<size_t>(r) * outputs + k], out);
      out->push_back('\n');
    }
  }
}

void AppendInteractionCsv(const Interactions& batch, int64_t first_row, bool header,
                          std::string* out) {
  const size_t outputs = batch.outputs.size();
  const bool multiclass = outputs > 1;
  if (header) out->append(multiclass ? "row,class,i,j,value\n" : "row,i,j,value\n");
  std::vector<std::string> names = batch.players;
  names.push_back("base_value");
  const std::vector<std::string> fields = CsvFields(names);
  const std::vector<std::string> classes = CsvFields(batch.outputs);
  const size_t n = names.size();
  for (int64_t r = 0; r < batch.rows; ++r) {
    std::string row;
    AppendInteger(first_row + r, &row);
    row.push_back(',');
    for (size_t k = 0; k < outputs; ++k) {
      for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < n; ++j) {
          out->append(row);
          if (multiclass) out->append(classes[k]);
          out->append(fields[i]);
          out->append(fields[j]);
          AppendCsvNumber(batch.value(r, k, i, j), out);
          out->push_back('\n');
        }
      }
    }
  }
}

AttributionSummary::AttributionSummary(std::vector<std::string> players,
                                       std::vector<std::string> outputs)
    : players_(std::move(players)), outputs_(std::move(outputs)) {
  const size_t cells = players_.size() * outputs_.size();
  count_.assign(cells, 0);
  sum_abs_.assign(cells, 0);
  sum_.assign(cells, 0);
  min_.assign(cells, std::numeric_limits<double>::infinity());
  max_.assign(cells, -std::numeric_limits<double>::infinity());
  feature_column_.assign(players_.size(), -1);
  feature_is_string_.assign(players_.size(), false);
  feature_levels_.resize(players_.size());
  const size_t pairs = PairCount(players_.size());
  interaction_abs_.assign(outputs_.size() * pairs, 0);
}

void AttributionSummary::Add(const Attributions& batch, int64_t first_row,
                             const InputFrame* frame) {
  const size_t players = players_.size();
  const size_t outputs = outputs_.size();
  PROBITY_CHECK(batch.players.size() == players && batch.outputs.size() == outputs);
  if (frame != nullptr && frame->rows < batch.rows) frame = nullptr;
  if (frame != nullptr) {
    for (size_t p = 0; p < players; ++p) {
      if (!frame_seen_) {
        auto it = std::find(frame->names.begin(), frame->names.end(), players_[p]);
        if (it != frame->names.end()) feature_column_[p] = it - frame->names.begin();
      }
      const int64_t column = feature_column_[p];
      if (column < 0 || static_cast<size_t>(column) >= frame->width()) continue;
      feature_is_string_[p] = frame->is_string[static_cast<size_t>(column)];
      const auto& levels = frame->dictionaries[static_cast<size_t>(column)];
      // Dictionaries only grow: copy only when this batch added levels.
      if (feature_is_string_[p] && levels.size() != feature_levels_[p].size()) {
        feature_levels_[p] = levels;
      }
    }
    frame_seen_ = true;
  }
  const size_t cells = players * outputs;
  const auto heap_less = [](const SampleKey& a, const SampleKey& b) {
    return SampleBefore(a.hash, a.row, b.hash, b.row);
  };
  for (int64_t r = 0; r < batch.rows; ++r) {
    const double* phi = batch.values.data() + static_cast<size_t>(r) * cells;
    for (size_t c = 0; c < cells; ++c) {
      const double v = phi[c];
      if (std::isnan(v)) continue;
      ++count_[c];
      sum_abs_[c] += std::fabs(v);
      sum_[c] += v;
      min_[c] = std::min(min_[c], v);
      max_[c] = std::max(max_[c], v);
    }
    // The sample keeps the kSampleRows smallest (hash, row): a property of the set of rows,
    // so batch boundaries cannot change it.
    const int64_t row = first_row + r;
    const uint64_t hash = MixSeed(0, static_cast<uint64_t>(row));
    size_t slot = 0;
    if (heap_.size() < kSampleRows) {
      slot = heap_.size();
      heap_.push_back({hash, row, slot});
      std::push_heap(heap_.begin(), heap_.end(), heap_less);
      sample_feature_.resize((slot + 1) * players);
      sample_phi_.resize((slot + 1) * cells);
    } else if (SampleBefore(hash, row, heap_.front().hash, heap_.front().row)) {
      std::pop_heap(heap_.begin(), heap_.end(), heap_less);
      slot = heap_.back().slot;
      heap_.back() = {hash, row, slot};
      std::push_heap(heap_.begin(), heap_.end(), heap_less);
    } else {
      continue;
    }
    for (size_t p = 0; p < players; ++p) {
      const int64_t column = feature_column_[p];
      sample_feature_[slot * players + p] =
          frame != nullptr && column >= 0 && static_cast<size_t>(column) < frame->width()
              ? frame->at(r, static_cast<size_t>(column))
              : kNaN;
    }
    std::copy(phi, phi + cells, sample_phi_.begin() + static_cast<std::ptrdiff_t>(slot * cells));
  }
  rows_ += batch.rows;
}

void AttributionSummary::AddInteractions(const Interactions& batch) {
  const size_t players = players_.size();
  PROBITY_CHECK(batch.players.size() == players && batch.outputs.size() == outputs_.size());
  const size_t pairs = PairCount(players);
  for (int64_t r = 0; r < batch.rows; ++r) {
    for (size_t k = 0; k < outputs_.size(); ++k) {
      double* strength = interaction_abs_.data() + k * pairs;
      for (size_t i = 0; i < players; ++i) {
        for (size_t j = i + 1; j < players; ++j) *strength++ += std::fabs(batch.value(r, k, i, j));
      }
    }
  }
  interaction_rows_ += batch.rows;
}

double AttributionSummary::MeanAbs(size_t output, size_t player) const {
  const size_t c = output * players_.size() + player;
  return count_[c] > 0 ? sum_abs_[c] / static_cast<double>(count_[c]) : kNaN;
}

std::vector<size_t> AttributionSummary::Ranking(size_t output) const {
  std::vector<size_t> order(players_.size());
  for (size_t p = 0; p < order.size(); ++p) order[p] = p;
  const auto key = [&](size_t p) {
    const double m = MeanAbs(output, p);
    return std::isnan(m) ? -std::numeric_limits<double>::infinity() : m;
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) > key(b); });
  return order;
}

nlohmann::ordered_json AttributionSummary::SampleJson(const std::vector<size_t>& slots) const {
  const size_t players = players_.size();
  Json sample = Json::object();
  sample["rows"] = slots.size();
  sample["selection"] = "the rows with the smallest MixSeed(0, row) (at most 1000), in row order";
  Json rows = Json::array();
  for (size_t s : slots) rows.push_back(heap_[s].row);
  sample["row_index"] = std::move(rows);
  Json features = Json::array();
  for (size_t p = 0; p < players; ++p) {
    Json feature = Json::object();
    feature["player"] = players_[p];
    if (feature_column_[p] < 0) {
      feature["kind"] = "none";
      SetUndefined(feature, "values",
                   frame_seen_ ? "the player is not a single model input (a group)"
                               : "no input values were given");
    } else {
      feature["kind"] = feature_is_string_[p] ? "code" : "number";
      Json values = Json::array();
      for (size_t s : slots) {
        const double v = sample_feature_[heap_[s].slot * players + p];
        if (feature_is_string_[p] && !std::isnan(v)) {
          values.push_back(static_cast<int64_t>(v));  // a code
        } else {
          values.push_back(JsonNumber(v));
        }
      }
      feature["values"] = std::move(values);
      if (feature_is_string_[p]) feature["levels"] = feature_levels_[p];
    }
    features.push_back(std::move(feature));
  }
  sample["feature_values"] = std::move(features);
  return sample;
}

nlohmann::ordered_json AttributionSummary::ToJson() const {
  const size_t players = players_.size();
  const size_t cells = players * outputs_.size();
  // Sample slots (indices into heap_) in row order.
  std::vector<size_t> slots(heap_.size());
  for (size_t s = 0; s < slots.size(); ++s) slots[s] = s;
  std::sort(slots.begin(), slots.end(),
            [&](size_t a, size_t b) { return heap_[a].row < heap_[b].row; });

  Json doc = Json::object();
  doc["rows"] = rows_;
  doc["players"] = players_;
  doc["outputs"] = outputs_;
  Json by_output = Json::array();
  for (size_t k = 0; k < outputs_.size(); ++k) {
    Json output = Json::object();
    output["output"] = outputs_[k];
    Json ranking = Json::array();
    for (size_t p : Ranking(k)) ranking.push_back(players_[p]);
    output["ranking"] = std::move(ranking);
    Json entries = Json::array();
    for (size_t p = 0; p < players; ++p) {
      const size_t c = k * players + p;
      const int64_t n = count_[c];
      const double denominator = static_cast<double>(std::max<int64_t>(n, 1));
      Json entry = Json::object();
      entry["player"] = players_[p];
      SetMean(entry, "mean_abs", sum_abs_[c] / denominator, n, rows_);
      SetMean(entry, "mean", sum_[c] / denominator, n, rows_);
      SetMean(entry, "min", min_[c], n, rows_);
      SetMean(entry, "max", max_[c], n, rows_);
      if (n == 0) {
        SetUndefined(entry, "histogram",
                     rows_ == 0 ? "no rows were explained" : "every value was NaN");
      } else if (!std::isfinite(min_[c]) || !std::isfinite(max_[c])) {
        SetUndefined(entry, "histogram", "phi is infinite for some row");
      } else {
        // Halved so that max − min cannot overflow.
        const double lo = min_[c], hi = max_[c];
        const double half_width = hi * 0.5 - lo * 0.5;
        Json edges = Json::array();
        for (size_t b = 0; b <= kHistogramBins; ++b) {
          edges.push_back(b == kHistogramBins
                              ? hi
                              : lo + 2 * half_width * static_cast<double>(b) / kHistogramBins);
        }
        std::vector<int64_t> counts(kHistogramBins, 0);
        for (size_t s : slots) {
          const double v = sample_phi_[heap_[s].slot * cells + c];
          if (std::isnan(v)) continue;
          size_t bin = 0;
          if (half_width > 0) {
            const double t = (v * 0.5 - lo * 0.5) / half_width * kHistogramBins;
            bin = t <= 0 ? 0 : std::min(kHistogramBins - 1, static_cast<size_t>(t));
          }
          ++counts[bin];
        }
        Json histogram = Json::object();
        histogram["edges"] = std::move(edges);
        histogram["counts"] = counts;
        entry["histogram"] = std::move(histogram);
      }
      Json sample_phi = Json::array();
      for (size_t s : slots)
        sample_phi.push_back(JsonNumber(sample_phi_[heap_[s].slot * cells + c]));
      entry["sample_phi"] = std::move(sample_phi);
      entries.push_back(std::move(entry));
    }
    output["players"] = std::move(entries);
    by_output.push_back(std::move(output));
  }
  doc["by_output"] = std::move(by_output);
  doc["sample"] = SampleJson(slots);
  if (interaction_rows_ > 0) {
    const size_t pairs = PairCount(players);
    Json strength = Json::object();
    strength["rows"] = interaction_rows_;
    Json list = Json::array();
    size_t pair = 0;
    for (size_t i = 0; i < players; ++i) {
      for (size_t j = i + 1; j < players; ++j, ++pair) {
        Json entry = Json::object();
        entry["i"] = players_[i];
        entry["j"] = players_[j];
        Json means = Json::array();
        for (size_t k = 0; k < outputs_.size(); ++k) {
          means.push_back(JsonNumber(interaction_abs_[k * pairs + pair] /
                                     static_cast<double>(interaction_rows_)));
        }
        entry["mean_abs"] = std::move(means);
        list.push_back(std::move(entry));
      }
    }
    strength["pairs"] = std::move(list);
    doc["interaction_strength"] = std::move(strength);
  }
  return doc;
}

nlohmann::ordered_json AttributionsHeaderJson(const Attributions& a) {
  const size_t outputs = a.outputs.size();
  Json doc = MethodHeader(a.method, a.space);
  doc["value_function"] = a.value_function;
  if (!a.cover_kind.empty()) doc["cover_kind"] = a.cover_kind;
  doc["players"] = a.players;
  doc["outputs"] = a.outputs;
  Json base = Json::array();
  std::string reasons;
  for (size_t k = 0; k < outputs; ++k) {
    if (a.rows == 0) {
      base.push_back(nullptr);
      reasons = "no rows were explained";
      continue;
    }
    double lo = a.base[k], hi = a.base[k];
    bool identical = !std::isnan(lo);
    for (int64_t r = 1; r < a.rows; ++r) {
      const double v = a.base[static_cast<size_t>(r) * outputs + k];
      identical = identical && v == lo;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    if (identical) {
      base.push_back(JsonNumber(lo));
      continue;
    }
    base.push_back(nullptr);
    if (!reasons.empty()) reasons += "; ";
    reasons += "the base value of output \"" + a.outputs[k] + "\" varies by row (from " +
               FormatShort(lo) + " to " + FormatShort(hi) + "): see each row's base_value";
  }
  doc["base_value"] = std::move(base);
  if (!reasons.empty()) doc["base_value_reason"] = reasons;
  doc["max_additivity_error"] = JsonNumber(a.max_additivity_error);
  if (a.seed) doc["seed"] = *a.seed;
  doc["model_evaluations"] = a.model_evaluations;
  if (a.coalitions > 0) doc["coalitions"] = a.coalitions;
  if (a.background_rows > 0) doc["background_rows"] = a.background_rows;
  return doc;
}

nlohmann::ordered_json AttributionRowsJson(const Attributions& a, int64_t first_row) {
  const size_t players = a.players.size();
  const size_t outputs = a.outputs.size();
  Json rows = Json::array();
  for (int64_t r = 0; r < a.rows; ++r) {
    const size_t at = static_cast<size_t>(r) * outputs;
    Json row = Json::object();
    row["row"] = first_row + r;
    row["base_value"] = NumberArray(a.base.data() + at, outputs);
    row["prediction"] = a.prediction.size() >= at + outputs
                            ? NumberArray(a.prediction.data() + at, outputs)
                            : Json::array();
    Json values = Json::array();
    for (size_t k = 0; k < outputs; ++k) {
      values.push_back(NumberArray(a.values.data() + (at + k) * players, players));
    }
    row["values"] = std::move(values);
    rows.push_back(std::move(row));
  }
  return rows;
}

nlohmann::ordered_json LimeToJson(const LimeResult& result, const std::vector<std::string>& players,
                                  std::optional<OutputSpace> space) {
  Json doc = MethodHeader("lime", space);
  doc["additive"] = false;
  doc["players"] = players;
  doc["kernel_width"] = JsonNumber(result.kernel_width);
  doc["seed"] = result.seed;
  doc["model_evaluations"] = result.model_evaluations;
  Json explanations = Json::array();
  for (const LimeExplanation& e : result.explanations) {
    Json entry = Json::object();
    entry["row"] = e.row;
    entry["output"] = e.output;
    entry["intercept"] = JsonNumber(e.intercept);
    Json features = Json::array();
    for (const LimeFeature& f : e.features) {
      features.push_back(
          Json{{"player", f.player}, {"condition", f.condition}, {"weight", JsonNumber(f.weight)}});
    }
    entry["features"] = std::move(features);
    entry["r2"] = JsonNumber(e.r2);
    entry["holdout_r2"] = JsonNumber(e.holdout_r2);
    entry["local_prediction"] = JsonNumber(e.local_prediction);
    entry["model_prediction"] = JsonNumber(e.model_prediction);
    explanations.push_back(std::move(entry));
  }
  doc["explanations"] = std::move(explanations);
  return doc;
}

nlohmann::ordered_json PermutationToJson(const PermutationImportance& result) {
  Json doc = MethodHeader("permutation", std::nullopt);
  doc["metric"] = result.metric;
  doc["greater_is_better"] = result.greater_is_better;
  doc["baseline"] = JsonNumber(result.baseline);
  doc["rows"] = result.rows;
  doc["repeats"] = result.repeats;
  doc["seed"] = result.seed;
  doc["model_evaluations"] = result.model_evaluations;
  std::vector<size_t> order(result.importances.size());
  for (size_t p = 0; p < order.size(); ++p) order[p] = p;
  const auto key = [&](size_t p) {
    const double m = result.importances[p].mean;
    return std::isnan(m) ? -std::numeric_limits<double>::infinity() : m;
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) > key(b); });
  Json ranking = Json::array();
  for (size_t p : order) ranking.push_back(result.importances[p].player);
  doc["ranking"] = std::move(ranking);
  Json importances = Json::array();
  for (const PlayerImportance& imp : result.importances) {
    Json entry = Json::object();
    entry["player"] = imp.player;
    entry["mean"] = JsonNumber(imp.mean);
    entry["std"] = JsonNumber(imp.std);
    entry["raw"] = NumberArray(imp.raw.data(), imp.raw.size());
    importances.push_back(std::move(entry));
  }
  doc["importances"] = std::move(importances);
  return doc;
}

nlohmann::ordered_json PdpToJson(const std::vector<PdpCurve>& curves,
                                 std::optional<OutputSpace> space) {
  Json doc = MethodHeader("pdp", space);
  Json list = Json::array();
  for (const PdpCurve& curve : curves) {
    const size_t grid = curve.grid.size();
    const size_t outputs = curve.outputs.size();
    const bool recursion = curve.method == "recursion";
    Json entry = Json::object();
    entry["feature"] = curve.feature;
    entry["categorical"] = curve.categorical;
    entry["method"] = curve.method;
    entry["expectation"] = recursion ? "path_dependent" : "data";
    entry["grid"] = NumberArray(curve.grid.data(), grid);
    entry["labels"] = curve.labels;
    entry["outputs"] = curve.outputs;
    Json average = Json::array();
    for (size_t k = 0; k < outputs; ++k) {
      Json series = Json::array();
      for (size_t g = 0; g < grid; ++g) {
        const size_t at = g * outputs + k;
        series.push_back(at < curve.average.size() ? JsonNumber(curve.average[at]) : Json());
      }
      average.push_back(std::move(series));
    }
    entry["average"] = std::move(average);
    const size_t per_row = grid * outputs;
    if (curve.ice.empty() || per_row == 0) {
      SetUndefined(entry, "ice",
                   recursion ? "the recursion method computes the average only"
                             : "individual curves were not requested");
    } else {
      const size_t ice_rows = curve.ice.size() / per_row;
      Json ice = Json::array();
      for (size_t k = 0; k < outputs; ++k) {
        Json rows = Json::array();
        for (size_t i = 0; i < ice_rows; ++i) {
          Json series = Json::array();
          for (size_t g = 0; g < grid; ++g) {
            series.push_back(JsonNumber(curve.ice[i * per_row + g * outputs + k]));
          }
          rows.push_back(std::move(series));
        }
        ice.push_back(std::move(rows));
      }
      entry["ice"] = std::move(ice);
    }
    entry["rows"] = curve.rows;
    entry["missing"] = curve.missing;
    const auto count = [&](size_t i) {
      return i < curve.data_counts.size() ? curve.data_counts[i] : int64_t{0};
    };
    Json distribution = Json::object();
    if (curve.categorical) {
      Json levels = Json::array();
      for (size_t g = 0; g < grid; ++g) levels.push_back(count(g));
      distribution["levels"] = std::move(levels);
      distribution["missing"] = count(grid);
    } else {
      distribution["below"] = count(0);
      Json intervals = Json::array();
      for (size_t g = 1; g < grid; ++g) intervals.push_back(count(g));
      distribution["intervals"] = std::move(intervals);
      distribution["at_or_above_last"] = count(grid);
    }
    entry["data_counts"] = std::move(distribution);
    list.push_back(std::move(entry));
  }
  doc["curves"] = std::move(list);
  return doc;
}

nlohmann::ordered_json CounterfactualsToJson(const CounterfactualResult& result,
                                             const InputFrame& rows,
                                             std::optional<OutputSpace> space) {
  Json doc = MethodHeader("counterfactual", space);
  doc["seed"] = result.seed;
  doc["model_evaluations"] = result.model_evaluations;
  doc["inputs"] = rows.names;
  Json sets = Json::array();
  for (const CounterfactualSet& set : result.sets) {
    Json entry = Json::object();
    entry["row"] = set.row;
    if (set.row >= 0 && set.row < rows.rows) {
      entry["input"] = RowValuesJson(rows, rows.row(set.row));
    } else {
      SetUndefined(entry, "input", "the row is not in the explained frame");
    }
    entry["prediction"] = JsonNumber(set.prediction);
    entry["already_desired"] = set.already_desired;
    Json list = Json::array();
    int64_t valid = 0;
    for (const Counterfactual& cf : set.counterfactuals) {
      Json item = Json::object();
      item["distance"] = JsonNumber(cf.distance);
      item["prediction"] = JsonNumber(cf.prediction);
      item["valid"] = cf.valid;
      valid += cf.valid ? 1 : 0;
      Json changes = Json::array();
      for (const FeatureChange& change : cf.changes) {
        changes.push_back(
            Json{{"feature", change.feature}, {"from", change.from}, {"to", change.to}});
      }
      item["changes"] = std::move(changes);
      if (cf.values.size() == rows.width()) {
        item["values"] = RowValuesJson(rows, cf.values.data());
      } else {
        SetUndefined(item, "values", "the counterfactual does not have the frame's width");
      }
      list.push_back(std::move(item));
    }
    entry["found"] = set.counterfactuals.size();
    entry["valid"] = valid;
    if (set.counterfactuals.size() >= 2) {
      entry["diversity"] = JsonNumber(set.diversity);
    } else {
      SetUndefined(entry, "diversity", "fewer than two counterfactuals");
    }
    entry["counterfactuals"] = std::move(list);
    sets.push_back(std::move(entry));
  }
  doc["sets"] = std::move(sets);
  return doc;
}

std::string RenderAttributionSummary(const AttributionSummary& summary, size_t limit) {
  constexpr size_t kBarWidth = 40;
  constexpr size_t kMaxName = 32;
  const std::vector<std::string>& players = summary.players();
  const std::vector<std::string>& outputs = summary.outputs();
  std::string out;
  for (size_t k = 0; k < outputs.size(); ++k) {
    const std::vector<size_t> ranking = summary.Ranking(k);
    const size_t shown = std::min(limit, ranking.size());
    out += "Mean |phi| over " + std::to_string(summary.rows()) + " rows, output \"" + outputs[k] +
           "\":\n";
    size_t width = 0;
    for (size_t i = 0; i < shown; ++i) {
      width = std::max(width, std::min(kMaxName, players[ranking[i]].size()));
    }
    const double top = shown > 0 ? summary.MeanAbs(k, ranking[0]) : kNaN;
    for (size_t i = 0; i < shown; ++i) {
      std::string name = players[ranking[i]];
      if (name.size() > kMaxName) name = name.substr(0, kMaxName - 3) + "...";
      const double m = summary.MeanAbs(k, ranking[i]);
      std::string value = std::isnan(m) ? "-" : FormatShort(m);
      size_t bar = 0;
      if (!std::isnan(m) && top > 0 && std::isfinite(top)) {
        bar = static_cast<size_t>(std::lround(m / top * static_cast<double>(kBarWidth)));
      }
      out += "  " + name + std::string(width - name.size(), ' ') + "  " +
             std::string(value.size() < 10 ? 10 - value.size() : 0, ' ') + value + "  " +
             std::string(bar, '#') + "\n";
    }
    if (ranking.size() > shown) {
      out += "  (" + std::to_string(ranking.size() - shown) + " more not shown)\n";
    }
  }
  return out;
}

}  // namespace probity::explain
