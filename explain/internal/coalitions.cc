#include "explain/internal/coalitions.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "audit/core/status.h"

namespace probity::explain::internal {
namespace {

constexpr int64_t kMaxSyntheticRows = int64_t{1} << 20;
constexpr int64_t kMaxSyntheticValues = int64_t{1} << 23;  // 64 MB of doubles

bool SameValue(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

}  // namespace

int64_t MaxSyntheticRows(size_t width) {
  const int64_t by_memory = kMaxSyntheticValues / static_cast<int64_t>(std::max<size_t>(width, 1));
  return std::max<int64_t>(int64_t{1} << 16, std::min(kMaxSyntheticRows, by_memory));
}


ScopedOmpThreads::ScopedOmpThreads(int threads) : previous_(omp_get_max_threads()) {
  omp_set_num_threads(ThreadCount(threads));
}
ScopedOmpThreads::~ScopedOmpThreads() { omp_set_num_threads(previous_); }

Result<AlignedBackground> AlignBackground(const InputFrame& rows, const Background& background) {
  const InputFrame& b = background.frame;
  if (b.rows <= 0) {
    return InvalidArgumentError("the background has no rows")
        .Expecting("one or more background rows (--background)");
  }
  if (b.names != rows.names || b.is_string != rows.is_string) {
    for (size_t j = 0; j < rows.width(); ++j) {
      if (j >= b.width() || b.names[j] != rows.names[j]) {
        return InvalidArgumentError("the background's inputs differ from the data's: input " +
                                    std::to_string(j) + " is \"" +
                                    (j < b.width() ? b.names[j] : std::string()) + "\"")
            .Expecting("\"" + rows.names[j] + "\" (the same inputs in the same order)");
      }
      if (b.is_string[j] != rows.is_string[j]) {
        return InvalidArgumentError("the background's column \"" + b.names[j] + "\" holds " +
                                    (b.is_string[j] ? "text" : "numbers"))
            .Expecting(std::string("the column's type in the data explained: ") +
                       (rows.is_string[j] ? "text" : "numbers"));
      }
    }
    return InvalidArgumentError("the background has " + std::to_string(b.width()) + " inputs")
        .Expecting(std::to_string(rows.width()) + " (the model's inputs)");
  }
  const size_t width = rows.width();
  if (b.values.size() != static_cast<size_t>(b.rows) * width) {
    return InvalidArgumentError("the background frame has " + std::to_string(b.values.size()) +
                                " values for " + std::to_string(b.rows) + " rows")
        .Expecting("rows × inputs values");
  }
  AlignedBackground out;
  out.header = EmptyLike(rows);
  out.rows = b.rows;
  out.values = b.values;
  for (size_t j = 0; j < width; ++j) {
    if (!rows.is_string[j] || b.dictionaries[j] == rows.dictionaries[j]) continue;
    std::unordered_map<std::string, double> index;
    std::vector<std::string>& dictionary = out.header.dictionaries[j];
    for (size_t c = 0; c < dictionary.size(); ++c) index.emplace(dictionary[c], c);
    std::vector<double> recode;
    for (const std::string& s : b.dictionaries[j]) {
      auto [it, added] = index.emplace(s, static_cast<double>(dictionary.size()));
      if (added) dictionary.push_back(s);
      recode.push_back(it->second);
    }
    for (int64_t r = 0; r < b.rows; ++r) {
      double& v = out.values[static_cast<size_t>(r) * width + j];
      if (std::isnan(v)) continue;
      const auto code = static_cast<size_t>(v);
      v = v >= 0 && code < recode.size() ? recode[code] : std::numeric_limits<double>::quiet_NaN();
    }
  }
  if (background.weights.empty()) {
    out.weights.assign(static_cast<size_t>(b.rows), 1.0 / static_cast<double>(b.rows));
    return out;
  }
  if (background.weights.size() != static_cast<size_t>(b.rows)) {
    return InvalidArgumentError("the background has " + std::to_string(background.weights.size()) +
                                " weights for " + std::to_string(b.rows) + " rows")
        .Expecting("one weight per background row");
  }
  double total = 0;
  for (size_t r = 0; r < background.weights.size(); ++r) {
    const double w = background.weights[r];
    if (!std::isfinite(w) || w < 0) {
      return InvalidArgumentError("background row " + std::to_string(r) + " has weight " +
                                  std::to_string(w))
          .Expecting("a non-negative finite weight");
    }
    total += w;
  }
  if (!(total > 0)) {
    return InvalidArgumentError("the background weights sum to 0").Expecting("a positive sum");
  }
  for (double w : background.weights) out.weights.push_back(w / total);
  return out;
}

std::vector<int32_t> VaryingPlayers(const Players& players,
                                    const std::vector<std::vector<int32_t>>& inputs_of_player,
                                    const double* x, const AlignedBackground& background) {
  const size_t width = background.header.width();
  std::vector<int32_t> varying;
  for (size_t p = 0; p < players.size(); ++p) {
    bool varies = false;
    for (int64_t b = 0; b < background.rows && !varies; ++b) {
      const double* row = background.values.data() + static_cast<size_t>(b) * width;
      for (int32_t j : inputs_of_player[p]) {
        if (!SameValue(x[j], row[j])) {
          varies = true;
          break;
        }
      }
    }
    if (varies) varying.push_back(static_cast<int32_t>(p));
  }
  return varying;
}

CoalitionValuer::CoalitionValuer(const Model& model, const InputFrame& rows,
                                 const AlignedBackground& background, OutputSpace space,
                                 size_t outputs, int threads)
    : model_(model),
      rows_(rows),
      background_(background),
      space_(space),
      outputs_(outputs),
      threads_(ThreadCount(threads)),
      max_coalitions_(std::max<int64_t>(1, MaxSyntheticRows(rows.width()) / background.rows)) {}

Status CoalitionValuer::Add(int64_t row, std::span<const int32_t> x_inputs, double* out) {
  if (static_cast<int64_t>(pending_.size()) >= max_coalitions_) {
    PROBITY_RETURN_IF_ERROR(Flush());
  }
  pending_.push_back({row, pending_inputs_.size(), x_inputs.size(), out});
  pending_inputs_.insert(pending_inputs_.end(), x_inputs.begin(), x_inputs.end());
  return OkStatus();
}

Status CoalitionValuer::Flush() {
  if (pending_.empty()) return OkStatus();
  const size_t width = rows_.width();
  const auto background_rows = static_cast<size_t>(background_.rows);
  const auto coalitions = static_cast<int64_t>(pending_.size());
  const size_t synthetic_rows = pending_.size() * background_rows;
  synthetic_.resize(synthetic_rows * width);
#pragma omp parallel for schedule(static) num_threads(threads_)
  for (int64_t c = 0; c < coalitions; ++c) {
    const Pending& p = pending_[static_cast<size_t>(c)];
    const double* x = rows_.row(p.row);
    double* out = synthetic_.data() + static_cast<size_t>(c) * background_rows * width;
    std::copy(background_.values.begin(), background_.values.end(), out);
    for (size_t b = 0; b < background_rows; ++b) {
      double* hybrid = out + b * width;
      for (size_t i = 0; i < p.input_count; ++i) {
        const auto j = static_cast<size_t>(pending_inputs_[p.first_input + i]);
        hybrid[j] = x[j];
      }
    }
  }
  PROBITY_ASSIGN_OR_RETURN(
      Buffer<double> y,
      ScoreRows(model_, background_.header,
                std::span<const double>(synthetic_.data(), synthetic_rows * width),
                static_cast<int64_t>(synthetic_rows), space_, &evaluations_));
  if (y.size() != synthetic_rows * outputs_) {
    return InternalError("the model gave " + std::to_string(y.size()) + " outputs for " +
                         std::to_string(synthetic_rows) + " rows");
  }
#pragma omp parallel for schedule(static) num_threads(threads_)
  for (int64_t c = 0; c < coalitions; ++c) {
    const Pending& p = pending_[static_cast<size_t>(c)];
    const double* scores = y.data() + static_cast<size_t>(c) * background_rows * outputs_;
    for (size_t k = 0; k < outputs_; ++k) {
      double sum = 0;
      for (size_t b = 0; b < background_rows; ++b) {
        sum += background_.weights[b] * scores[b * outputs_ + k];
      }
      p.out[k] = sum;
    }
  }
  pending_.clear();
  pending_inputs_.clear();
  return OkStatus();
}

Result<GameEnds> ScoreGameEnds(const Model& model, const InputFrame& rows,
                               const AlignedBackground& background, OutputSpace space,
                               int64_t* evaluations) {
  GameEnds ends;
  PROBITY_ASSIGN_OR_RETURN(Buffer<double> fb, ScoreRows(model, background.header, background.values,
                                                        background.rows, space, evaluations));
  ends.outputs = fb.size() / static_cast<size_t>(background.rows);
  ends.base.assign(ends.outputs, 0);
  for (size_t b = 0; b < static_cast<size_t>(background.rows); ++b) {
    for (size_t k = 0; k < ends.outputs; ++k) {
      ends.base[k] += background.weights[b] * fb[b * ends.outputs + k];
    }
  }
  PROBITY_ASSIGN_OR_RETURN(ends.prediction, ScoreRows(model, background.header, rows.values,
                                                      rows.rows, space, evaluations));
  return ends;
}

Attributions NewAttributions(const Model& model, const Players& players, const InputFrame& rows,
                             const AlignedBackground& background, OutputSpace space,
                             const GameEnds& ends, std::string method) {
  Attributions a;
  a.method = std::move(method);
  a.space = space;
  a.value_function = "interventional: Σ_b w_b f(x_S, b_S̄) over the background";
  a.players = players.names;
  a.outputs = ExplainedOutputNames(model.info(), static_cast<int>(ends.outputs));
  a.rows = rows.rows;
  const size_t cells = static_cast<size_t>(rows.rows) * ends.outputs;
  a.values.assign(cells * players.size(), 0.0);
  a.base.resize(cells);
  for (size_t i = 0; i < cells; ++i) a.base[i] = ends.base[i % ends.outputs];
  a.prediction = ends.prediction;
  a.background_rows = background.rows;
  return a;
}

}  // namespace probity::explain::internal
