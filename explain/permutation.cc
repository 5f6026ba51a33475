#include "explain/permutation.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>

#include "audit/core/status.h"
#include "explain/internal/sampling.h"

namespace probity::explain {
namespace {

constexpr int64_t kScoreChunkRows = 65536;
constexpr int kMaxRepeats = 10000;
// The stream of the row subsample; permutation tasks use streams player × repeats + repeat.
constexpr uint64_t kSubsampleStream = uint64_t{1} << 62;
// scikit-learn 1.2's log_loss clips probabilities to [eps, 1 − eps], eps = float64 epsilon.
constexpr double kLogLossEps = std::numeric_limits<double>::epsilon();

enum class Metric { kAccuracy, kBalancedAccuracy, kLogLoss, kRocAuc, kBrier, kR2, kRmse, kMae };

struct MetricSpec {
  Metric metric;
  bool greater_is_better;
  bool needs_probabilities;
};

// The truth, encoded once: a class index per row (classifiers) or a number (regression).
struct Truth {
  std::vector<int32_t> classes;
  std::vector<double> values;
};

// What the metrics read from one scoring: the predicted class per row and the class
// probabilities (classifiers) or the first target's value (regression).
struct Scored {
  std::vector<int32_t> predicted;
  std::vector<double> probabilities;  // rows × classes
  std::vector<double> values;
};

Result<MetricSpec> ParseMetric(std::string name, ModelTask task, size_t classes) {
  const bool classifier = task == ModelTask::kClassification;
  if (task == ModelTask::kClustering) {
    return InvalidArgumentError("permutation importance: the model is a clustering model")
        .Expecting("a classifier or a regression model");
  }
  if (name == "auto") name = classifier ? "accuracy" : "r2";
  struct Entry {
    const char* name;
    MetricSpec spec;
    bool for_classifiers;
  };
  static const Entry kMetrics[] = {
      {"accuracy", {Metric::kAccuracy, true, false}, true},
      {"balanced_accuracy", {Metric::kBalancedAccuracy, true, false}, true},
      {"log_loss", {Metric::kLogLoss, false, true}, true},
      {"roc_auc", {Metric::kRocAuc, true, true}, true},
      {"brier", {Metric::kBrier, false, true}, true},
      {"r2", {Metric::kR2, true, false}, false},
      {"rmse", {Metric::kRmse, false, false}, false},
      {"mae", {Metric::kMae, false, false}, false},
  };
  for (const Entry& e : kMetrics) {
    if (name != e.name) continue;
    if (e.for_classifiers != classifier) {
      return InvalidArgumentError("permutation importance: metric \"" + name + "\" is for " +
                                  (e.for_classifiers ? "classifiers" : "regression models") +
                                  " but the model is a " +
                                  (classifier ? "classifier" : "regression model"))
          .Expecting(classifier ? "accuracy, balanced_accuracy, log_loss, roc_auc or brier"
                                : "r2, rmse or mae");
    }
    if ((e.spec.metric == Metric::kRocAuc || e.spec.metric == Metric::kBrier) && classes != 2) {
      return InvalidArgumentError("permutation importance: metric \"" + name +
                                  "\" is defined for binary classifiers; the model has " +
                                  std::to_string(classes) + " classes")
          .Expecting("accuracy, balanced_accuracy or log_loss");
    }
    return e.spec;
  }
  return InvalidArgumentError("permutation importance: unknown metric \"" + name + "\"")
      .Expecting(
          "auto, accuracy, balanced_accuracy, log_loss, roc_auc, brier (classifiers) or r2, "
          "rmse, mae (regression)");
}

std::string NumberText(double v) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  return std::string(buffer, end);
}

// Labels → class indices (by text, then by numeric value: a label 1 matches a class "1.0")
// or numbers.
Result<Truth> ReadTruth(const ModelInfo& info, const Column& labels,
                        const std::vector<int64_t>& rows) {
  Truth truth;
  const bool classifier = info.task == ModelTask::kClassification;
  std::vector<double> class_numbers;
  for (const std::string& c : info.classes) {
    double v = std::numeric_limits<double>::quiet_NaN();
    const char* end = c.data() + c.size();
    auto [ptr, ec] = std::from_chars(c.data(), end, v);
    class_numbers.push_back(
        ec == std::errc() && ptr == end ? v : std::numeric_limits<double>::quiet_NaN());
  }
  for (int64_t r : rows) {
    if (!labels.IsValid(r)) {
      return InvalidArgumentError("permutation importance: the label of row " +
                                  std::to_string(r + 1) + " is missing")
          .Expecting("a true target for every row");
    }
    if (!classifier) {
      const double v = labels.NumberAt(r);
      if (std::isnan(v)) {
        return InvalidArgumentError("permutation importance: the label of row " +
                                    std::to_string(r + 1) + " is not a number")
            .Expecting("numeric labels for a regression model");
      }
      truth.values.push_back(v);
      continue;
    }
    const bool is_string = labels.type() == DataType::kString;
    const double number = is_string ? std::numeric_limits<double>::quiet_NaN() : labels.NumberAt(r);
    const std::string text = is_string ? std::string(labels.StringAt(r)) : NumberText(number);
    int32_t found = -1;
    for (size_t k = 0; k < info.classes.size() && found < 0; ++k) {
      if (info.classes[k] == text) found = static_cast<int32_t>(k);
    }
    for (size_t k = 0; k < info.classes.size() && found < 0 && !is_string; ++k) {
      if (class_numbers[k] == number) found = static_cast<int32_t>(k);
    }
    if (found < 0) {
      std::string list;
      for (const std::string& c : info.classes) list += (list.empty() ? "" : ", ") + c;
      return InvalidArgumentError("permutation importance: the label \"" + text + "\" of row " +
                                  std::to_string(r + 1) + " is not among the model's classes")
          .Expecting("one of: " + list);
    }
    truth.classes.push_back(found);
  }
  return truth;
}

// Scores `rows` rows of `values` (frame layout) through Model::Predict in chunks.
Result<Scored> Score(const Model& model, const InputFrame& frame, const std::vector<double>& values,
                     int64_t rows, bool needs_probabilities) {
  const ModelInfo& info = model.info();
  const size_t width = frame.width();
  const size_t classes = info.classes.size();
  Scored out;
  for (int64_t begin = 0; begin < rows; begin += kScoreChunkRows) {
    const int64_t n = std::min(kScoreChunkRows, rows - begin);
    Table batch = FrameTable(
        frame, std::span<const double>(values).subspan(static_cast<size_t>(begin) * width), n);
    PROBITY_ASSIGN_OR_RETURN(Predictions p, model.Predict(batch));
    const auto count = static_cast<size_t>(n);
    if (info.task != ModelTask::kClassification) {
      if (p.values.size() < count) {
        return InvalidArgumentError("the " + info.format + " model gives no regression values")
            .Expecting("a regression model");
      }
      const size_t targets = p.values.size() / count;
      for (size_t r = 0; r < count; ++r) out.values.push_back(p.values[r * targets]);
      continue;
    }
    const bool has_probabilities = p.probabilities.size() == count * classes && classes > 0;
    if (!has_probabilities && needs_probabilities) {
      return InvalidArgumentError("the " + info.format + " model gives no class probabilities")
          .Expecting("--metric accuracy or balanced_accuracy for a model that gives labels only");
    }
    for (size_t r = 0; r < count; ++r) {
      int32_t label = -1;
      if (has_probabilities) {
        // The most probable class, the first on ties (scikit-learn's predict).
        size_t best = 0;
        for (size_t k = 1; k < classes; ++k) {
          if (p.probabilities[r * classes + k] > p.probabilities[r * classes + best]) best = k;
        }
        label = static_cast<int32_t>(best);
        out.probabilities.insert(out.probabilities.end(), p.probabilities.begin() + r * classes,
                                 p.probabilities.begin() + (r + 1) * classes);
      } else if (p.labels.size() == count) {
        label = p.labels[r];
      }
      out.predicted.push_back(label);
    }
  }
  return out;
}

double RocAuc(const std::vector<int32_t>& truth, const std::vector<double>& score) {
  // Mann–Whitney: (sum of the positives' ranks − n⁺(n⁺+1)/2) / (n⁺ n⁻), tied scores sharing
  // their mean rank — the area under scikit-learn's trapezoidal ROC curve.
  const size_t n = truth.size();
  for (double v : score) {
    if (std::isnan(v)) return std::numeric_limits<double>::quiet_NaN();
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return score[a] < score[b]; });
  double rank_sum = 0;
  double positives = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && score[order[j]] == score[order[i]]) ++j;
    const double mean_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (size_t t = i; t < j; ++t) {
      if (truth[order[t]] == 1) {
        rank_sum += mean_rank;
        positives += 1;
      }
    }
    i = j;
  }
  const double negatives = static_cast<double>(n) - positives;
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

double Evaluate(Metric metric, const Truth& truth, const Scored& s, size_t classes) {
  switch (metric) {
    case Metric::kAccuracy: {
      double correct = 0;
      for (size_t r = 0; r < truth.classes.size(); ++r) {
        correct += s.predicted[r] == truth.classes[r] ? 1 : 0;
      }
      return correct / static_cast<double>(truth.classes.size());
    }
    case Metric::kBalancedAccuracy: {
      // Mean recall over the classes present in the truth (scikit-learn drops the others).
      std::vector<double> hits(classes, 0), counts(classes, 0);
      for (size_t r = 0; r < truth.classes.size(); ++r) {
        const auto k = static_cast<size_t>(truth.classes[r]);
        counts[k] += 1;
        hits[k] += s.predicted[r] == truth.classes[r] ? 1 : 0;
      }
      double sum = 0;
      double present = 0;
      for (size_t k = 0; k < classes; ++k) {
        if (counts[k] == 0) continue;
        sum += hits[k] / counts[k];
        present += 1;
      }
      return sum / present;
    }
    case Metric::kLogLoss: {
      double total = 0;
      for (size_t r = 0; r < truth.classes.size(); ++r) {
        double row_sum = 0;
        for (size_t k = 0; k < classes; ++k) {
          row_sum += std::clamp(s.probabilities[r * classes + k], kLogLossEps, 1 - kLogLossEps);
        }
        const double p =
            std::clamp(s.probabilities[r * classes + static_cast<size_t>(truth.classes[r])],
                       kLogLossEps, 1 - kLogLossEps);
        total += -std::log(p / row_sum);
      }
      return total / static_cast<double>(truth.classes.size());
    }
    case Metric::kRocAuc: {
      std::vector<double> positive(truth.classes.size());
      for (size_t r = 0; r < positive.size(); ++r) positive[r] = s.probabilities[r * classes + 1];
      return RocAuc(truth.classes, positive);
    }
    case Metric::kBrier: {
      double total = 0;
      for (size_t r = 0; r < truth.classes.size(); ++r) {
        const double d = s.probabilities[r * classes + 1] - (truth.classes[r] == 1 ? 1 : 0);
        total += d * d;
      }
      return total / static_cast<double>(truth.classes.size());
    }
    case Metric::kR2: {
      // scikit-learn's r2_score: a constant truth gives 1 for a perfect fit, else 0.
      double mean = 0;
      for (double v : truth.values) mean += v;
      mean /= static_cast<double>(truth.values.size());
      double sse = 0;
      double sst = 0;
      for (size_t r = 0; r < truth.values.size(); ++r) {
        sse += (truth.values[r] - s.values[r]) * (truth.values[r] - s.values[r]);
        sst += (truth.values[r] - mean) * (truth.values[r] - mean);
      }
      if (sst > 0) return 1 - sse / sst;
      return sse > 0 ? 0 : 1;
    }
    case Metric::kRmse:
    case Metric::kMae: {
      double total = 0;
      for (size_t r = 0; r < truth.values.size(); ++r) {
        const double d = truth.values[r] - s.values[r];
        total += metric == Metric::kRmse ? d * d : std::abs(d);
      }
      total /= static_cast<double>(truth.values.size());
      return metric == Metric::kRmse ? std::sqrt(total) : total;
    }
  }
  return 0;
}

}  // namespace

Result<PermutationImportance> PermutationImportanceOf(const Model& model, const Players& players,
                                                      const InputFrame& data, const Column& labels,
                                                      const PermutationOptions& options) {
  const ModelInfo& info = model.info();
  PROBITY_ASSIGN_OR_RETURN(MetricSpec spec,
                           ParseMetric(options.metric, info.task, info.classes.size()));
  if (options.repeats < 1 || options.repeats > kMaxRepeats) {
    return InvalidArgumentError("permutation importance: repeats is " +
                                std::to_string(options.repeats))
        .Expecting("1 ≤ repeats ≤ " + std::to_string(kMaxRepeats));
  }
  if (labels.size() != data.rows) {
    return InvalidArgumentError("permutation importance: " + std::to_string(labels.size()) +
                                " labels for " + std::to_string(data.rows) + " rows")
        .Expecting("one label per row of the data");
  }
  if (data.rows == 0) {
    return InvalidArgumentError("permutation importance: the data has no rows")
        .Expecting("held-out rows with labels");
  }
  if (options.max_rows < 0) {
    return InvalidArgumentError("permutation importance: max_rows is negative")
        .Expecting("0 (all rows) or a positive row count");
  }
  if (players.player_of_input.size() != data.width()) {
    return InvalidArgumentError("permutation importance: the players cover " +
                                std::to_string(players.player_of_input.size()) +
                                " inputs but the data has " + std::to_string(data.width()))
        .Expecting("players built from the model's inputs");
  }

  // The rows used: all, or a seeded sample without replacement kept in data order.
  std::vector<int64_t> rows(static_cast<size_t>(data.rows));
  std::iota(rows.begin(), rows.end(), 0);
  if (options.max_rows > 0 && options.max_rows < data.rows) {
    internal::Rng rng(MixSeed(options.seed, kSubsampleStream));
    for (size_t i = 0; i < static_cast<size_t>(options.max_rows); ++i) {
      const size_t j = i + rng.Below(rows.size() - i);
      std::swap(rows[i], rows[j]);
    }
    rows.resize(static_cast<size_t>(options.max_rows));
    std::sort(rows.begin(), rows.end());
  }
  PROBITY_ASSIGN_OR_RETURN(Truth truth, ReadTruth(info, labels, rows));
  if (spec.metric == Metric::kRocAuc) {
    const auto positives = std::count(truth.classes.begin(), truth.classes.end(), 1);
    if (positives == 0 || positives == static_cast<int64_t>(truth.classes.size())) {
      return InvalidArgumentError(
                 "permutation importance: roc_auc needs both classes among "
                 "the labels, found only \"" +
                 info.classes[positives == 0 ? 0 : 1] + "\"")
          .Expecting("labels of both classes, or --metric accuracy");
    }
  }

  const size_t width = data.width();
  const auto n = static_cast<int64_t>(rows.size());
  std::vector<double> base(rows.size() * width);
  for (size_t i = 0; i < rows.size(); ++i) {
    std::copy(data.row(rows[i]), data.row(rows[i]) + width, base.begin() + i * width);
  }
  const size_t classes = info.classes.size();
  PROBITY_ASSIGN_OR_RETURN(Scored baseline_scored,
                           Score(model, data, base, n, spec.needs_probabilities));

  PermutationImportance result;
  result.metric = options.metric == "auto"
                      ? (info.task == ModelTask::kClassification ? "accuracy" : "r2")
                      : options.metric;
  result.greater_is_better = spec.greater_is_better;
  result.baseline = Evaluate(spec.metric, truth, baseline_scored, classes);
  result.rows = n;
  result.repeats = options.repeats;
  result.seed = options.seed;

  const size_t tasks = players.size() * static_cast<size_t>(options.repeats);
  std::vector<double> permuted_scores(tasks);
  std::vector<Status> errors(tasks);
#pragma omp parallel for schedule(dynamic, 1) num_threads(internal::ThreadCount(options.threads))
  for (size_t t = 0; t < tasks; ++t) {
    const size_t p = t / static_cast<size_t>(options.repeats);
    internal::Rng rng(MixSeed(options.seed, t));
    // Fisher–Yates: row i takes the player's inputs from row order[i].
    std::vector<size_t> order(rows.size());
    std::iota(order.begin(), order.end(), 0);
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.Below(i)]);
    std::vector<double> shuffled = base;
    for (int32_t input : players.InputsOf(p)) {
      const auto j = static_cast<size_t>(input);
      for (size_t i = 0; i < order.size(); ++i)
        shuffled[i * width + j] = base[order[i] * width + j];
    }
    auto scored = Score(model, data, shuffled, n, spec.needs_probabilities);
    if (!scored.has_value()) {
      errors[t] = scored.error();
      continue;
    }
    permuted_scores[t] = Evaluate(spec.metric, truth, *scored, classes);
  }
  for (const Status& e : errors) PROBITY_RETURN_IF_ERROR(e);

  for (size_t p = 0; p < players.size(); ++p) {
    PlayerImportance importance;
    importance.player = players.names[p];
    for (int k = 0; k < options.repeats; ++k) {
      const double permuted =
          permuted_scores[p * static_cast<size_t>(options.repeats) + static_cast<size_t>(k)];
      importance.raw.push_back(spec.greater_is_better ? result.baseline - permuted
                                                      : permuted - result.baseline);
    }
    for (double v : importance.raw) importance.mean += v;
    importance.mean /= static_cast<double>(options.repeats);
    for (double v : importance.raw) importance.std += (v - importance.mean) * (v - importance.mean);
    importance.std = std::sqrt(importance.std / static_cast<double>(options.repeats));
    result.importances.push_back(std::move(importance));
  }
  result.model_evaluations = n * static_cast<int64_t>(1 + tasks);
  return result;
}

}  // namespace probity::explain
