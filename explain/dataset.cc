#include "explain/dataset.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <queue>

#include "audit/core/status.h"
#include "explain/interventional.h"
#include "explain/shapley.h"
#include "explain/tree_shap.h"

namespace probity::explain {
namespace {

Result<int64_t> ParseIndex(std::string_view text, std::string_view piece) {
  int64_t v = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || v < 0) {
    return InvalidArgumentError("--rows: \"" + std::string(piece) + "\" is not a row or a range")
        .Expecting("0-based row indices and ranges A:B, separated by commas (e.g. 0,5,10:20)");
  }
  return v;
}

// The rows of `table` whose keep entry is set.
Table FilterRows(const Table& table, const std::vector<uint8_t>& keep) {
  std::vector<Column> columns;
  columns.reserve(table.num_columns());
  for (size_t c = 0; c < table.num_columns(); ++c) columns.push_back(table.column(c).Filter(keep));
  return Table(table.schema(), std::move(columns));
}

// max |base + Σ phi − reference| over rows and outputs (NaN rows skipped).
double MaxDifference(const Attributions& a, const Buffer<double>& reference) {
  const size_t outputs = a.outputs.size();
  const size_t players = a.players.size();
  double worst = 0;
  for (size_t i = 0; i < static_cast<size_t>(a.rows) * outputs && i < reference.size(); ++i) {
    double sum = a.base[i];
    for (size_t p = 0; p < players; ++p) sum += a.values[i * players + p];
    const double d = std::fabs(sum - reference[i]);
    if (!std::isnan(d)) worst = std::max(worst, d);
  }
  return worst;
}

Result<Buffer<double>> BackgroundViewInputs(const Model& model, const Background& background) {
  Table table =
      FrameTable(background.frame, background.frame.values, background.frame.rows);
  return model.ViewInputs(table);
}

}  // namespace

// ---- RowSelection ------------------------------------------------------------------------

Result<RowSelection> RowSelection::Parse(std::string_view text) {
  RowSelection selection;
  if (text.empty() || text == "all") return selection;
  selection.all_ = false;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view piece = text.substr(start, comma - start);
    start = comma + 1;
    if (piece.empty()) continue;
    const size_t colon = piece.find(':');
    if (colon == std::string_view::npos) {
      PROBITY_ASSIGN_OR_RETURN(int64_t row, ParseIndex(piece, piece));
      selection.ranges_.push_back({row, row + 1});
      continue;
    }
    int64_t begin = 0;
    int64_t end = INT64_MAX;
    if (colon > 0) {
      PROBITY_ASSIGN_OR_RETURN(begin, ParseIndex(piece.substr(0, colon), piece));
    }
    if (colon + 1 < piece.size()) {
      PROBITY_ASSIGN_OR_RETURN(end, ParseIndex(piece.substr(colon + 1), piece));
    }
    if (end <= begin) {
      return InvalidArgumentError("--rows: the range \"" + std::string(piece) + "\" is empty")
          .Expecting("A:B with A < B");
    }
    selection.ranges_.push_back({begin, end});
  }
  if (selection.ranges_.empty()) {
    return InvalidArgumentError("--rows \"" + std::string(text) + "\" selects no row")
        .Expecting("0-based row indices and ranges A:B, separated by commas");
  }
  std::sort(selection.ranges_.begin(), selection.ranges_.end());
  std::vector<std::pair<int64_t, int64_t>> merged;
  for (const auto& r : selection.ranges_) {
    if (!merged.empty() && r.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }
  selection.ranges_ = std::move(merged);
  return selection;
}

bool RowSelection::Contains(int64_t row) const {
  if (all_) return true;
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), std::pair<int64_t, int64_t>{row, INT64_MAX});
  if (it == ranges_.begin()) return false;
  --it;
  return row >= it->first && row < it->second;
}

bool RowSelection::ExhaustedAt(int64_t row) const {
  return !all_ && (ranges_.empty() || row >= ranges_.back().second);
}

std::string RowSelection::ToString() const {
  if (all_) return "all";
  std::string out;
  for (const auto& [begin, end] : ranges_) {
    if (!out.empty()) out += ",";
    if (end == begin + 1) {
      out += std::to_string(begin);
    } else {
      out += std::to_string(begin) + ":" + (end == INT64_MAX ? "" : std::to_string(end));
    }
  }
  return out;
}

// ---- Methods -----------------------------------------------------------------------------

std::string_view ShapMethodName(ShapMethod method) {
  switch (method) {
    case ShapMethod::kTree: return "tree";
    case ShapMethod::kInterventional: return "interventional";
    case ShapMethod::kExact: return "exact";
    case ShapMethod::kKernel: return "kernel";
    case ShapMethod::kLinear: return "linear";
  }
  return "tree";
}

Result<ShapMethod> ParseShapMethod(std::string_view name) {
  for (ShapMethod m : {ShapMethod::kTree, ShapMethod::kInterventional, ShapMethod::kExact,
                       ShapMethod::kKernel, ShapMethod::kLinear}) {
    if (name == ShapMethodName(m)) return m;
  }
  return InvalidArgumentError("--method: unknown method \"" + std::string(name) + "\"")
      .Expecting("tree, interventional, exact, kernel, linear, lime, permutation, pdp or "
                 "counterfactual");
}

ShapMethod DefaultShapMethod(const Model& model) {
  if (model.tree_view() != nullptr) return ShapMethod::kTree;
  if (model.linear_view() != nullptr) return ShapMethod::kLinear;
  return ShapMethod::kKernel;
}

OutputSpace DefaultSpace(ShapMethod method, const Model& model) {
  const bool classifier = model.info().task == ModelTask::kClassification;
  if (method == ShapMethod::kTree || method == ShapMethod::kInterventional ||
      method == ShapMethod::kLinear) {
    return OutputSpace::kMargin;
  }
  return classifier ? OutputSpace::kProbability : OutputSpace::kValue;
}

bool NeedsBackground(ShapMethod method) { return method != ShapMethod::kTree; }

bool IsSampled(ShapMethod method) { return method == ShapMethod::kKernel; }

Status CheckMethod(ShapMethod method, const Model& model, OutputSpace space) {
  const ModelInfo& info = model.info();
  const std::string name(ShapMethodName(method));
  if ((method == ShapMethod::kTree || method == ShapMethod::kInterventional) &&
      model.tree_view() == nullptr) {
    return InvalidArgumentError("--method " + name + ": the " + info.format + " model (" +
                                info.algorithm + ") is not a tree ensemble")
        .Expecting(model.linear_view() != nullptr ? "--method linear, exact or kernel"
                                                  : "--method exact or kernel");
  }
  if (method == ShapMethod::kLinear && model.linear_view() == nullptr) {
    return InvalidArgumentError("--method linear: the " + info.format + " model (" +
                                info.algorithm + ") is not a linear model")
        .Expecting(model.tree_view() != nullptr ? "--method tree, interventional, exact or kernel"
                                                : "--method exact or kernel");
  }
  if ((method == ShapMethod::kTree || method == ShapMethod::kLinear) &&
      space != OutputSpace::kMargin) {
    return InvalidArgumentError("--method " + name + " explains the margin only (--output " +
                                std::string(OutputSpaceName(space)) + " would not be exact)")
        .Expecting("--output margin, or --method " +
                   std::string(method == ShapMethod::kTree ? "interventional" : "exact") +
                   " for probabilities");
  }
  if (space == OutputSpace::kProbability && info.task != ModelTask::kClassification) {
    return InvalidArgumentError("--output probability: the model is not a classifier")
        .Expecting("--output value or margin");
  }
  if (space == OutputSpace::kValue && info.task != ModelTask::kRegression) {
    return InvalidArgumentError("--output value: the model is a classifier")
        .Expecting("--output probability or margin");
  }
  return OkStatus();
}

// ---- Explaining ----------------------------------------------------------------------------

Result<ExplainedBatch> ExplainTable(const Model& model, const Table& batch, int64_t first_row,
                                    const RowSelection& selection, const ShapRequest& request,
                                    const std::string& source,
                                    const std::vector<int64_t>* row_ids) {
  ExplainedBatch out;
  std::vector<uint8_t> keep(static_cast<size_t>(batch.num_rows()), 0);
  for (int64_t r = 0; r < batch.num_rows(); ++r) {
    const int64_t id = row_ids != nullptr ? (*row_ids)[static_cast<size_t>(r)] : first_row + r;
    if (selection.Contains(id)) {
      keep[static_cast<size_t>(r)] = 1;
      out.row_indices.push_back(id);
    }
  }
  if (out.row_indices.empty()) return out;
  Table rows = selection.all() ? batch : FilterRows(batch, keep);
  const int64_t n = rows.num_rows();
  const Background* background = request.background;
  if (NeedsBackground(request.method) && background == nullptr) {
    return InvalidArgumentError("--method " + std::string(ShapMethodName(request.method)) +
                                " needs a background set")
        .Expecting("--background FILE (or the data's own sample)");
  }
  // The rows as a frame, encoded like the background so string codes agree.
  if (background != nullptr) {
    out.frame = EmptyLike(background->frame);
    PROBITY_RETURN_IF_ERROR(AppendInputFrame(rows, source, &out.frame));
  } else {
    PROBITY_ASSIGN_OR_RETURN(out.frame, ReadInputFrame(model.info(), rows, source));
  }
  const ModelInfo& info = model.info();
  switch (request.method) {
    case ShapMethod::kTree: {
      PROBITY_ASSIGN_OR_RETURN(Buffer<double> x, model.ViewInputs(rows));
      TreeShapOptions options{.threads = request.threads};
      PROBITY_ASSIGN_OR_RETURN(out.attributions,
                               TreeShap(info, *model.tree_view(), request.players, x, n, options));
      if (request.interactions) {
        PROBITY_ASSIGN_OR_RETURN(Interactions i, TreeShapInteractions(info, *model.tree_view(),
                                                                      request.players, x, n,
                                                                      options));
        out.interactions = std::move(i);
      }
      break;
    }
    case ShapMethod::kInterventional: {
      PROBITY_ASSIGN_OR_RETURN(Buffer<double> x, model.ViewInputs(rows));
      PROBITY_ASSIGN_OR_RETURN(Buffer<double> b, BackgroundViewInputs(model, *background));
      InterventionalOptions options{.space = request.space,
                                    .max_exact_players = request.max_exact_players,
                                    .threads = request.threads};
      PROBITY_ASSIGN_OR_RETURN(
          out.attributions,
          InterventionalTreeShap(info, *model.tree_view(), request.players, x, n, b,
                                 background->frame.rows, background->weights, options));
      break;
    }
    case ShapMethod::kLinear: {
      PROBITY_ASSIGN_OR_RETURN(Buffer<double> x, model.ViewInputs(rows));
      PROBITY_ASSIGN_OR_RETURN(Buffer<double> b, BackgroundViewInputs(model, *background));
      PROBITY_ASSIGN_OR_RETURN(out.attributions,
                               LinearShap(info, *model.linear_view(), request.players, x, n, b,
                                          background->frame.rows, background->weights));
      break;
    }
    case ShapMethod::kExact:
    case ShapMethod::kKernel: {
      // The background re-encoded with the rows' (extended) dictionaries.
      Background local = *background;
      local.frame.dictionaries = out.frame.dictionaries;
      if (request.method == ShapMethod::kExact) {
        ExactShapleyOptions options{.space = request.space,
                                    .max_players = request.max_exact_players,
                                    .threads = request.threads};
        PROBITY_ASSIGN_OR_RETURN(out.attributions,
                                 ExactShapley(model, request.players, out.frame, local, options));
      } else {
        KernelShapOptions options{.space = request.space,
                                  .samples = request.samples,
                                  .seed = request.seed,
                                  .row_streams = out.row_indices,
                                  .threads = request.threads};
        PROBITY_ASSIGN_OR_RETURN(out.attributions,
                                 KernelShap(model, request.players, out.frame, local, options));
      }
      break;
    }
  }
  // The end-to-end check against the model's own scores in the same space.
  PROBITY_ASSIGN_OR_RETURN(Predictions p, model.Predict(rows));
  PROBITY_ASSIGN_OR_RETURN(Buffer<double> reference, ExplainedOutputs(model, p, request.space));
  out.max_model_difference = MaxDifference(out.attributions, reference);
  return out;
}

Result<ExplainTotals> ExplainDataset(const Model& model, ingest::DatasetReader& reader,
                                     const RowSelection& selection, const ShapRequest& request,
                                     const ExplainSink& sink) {
  ExplainTotals totals;
  int64_t next_row = 0;
  bool have_header = false;
  Status scanned = reader.Scan(
      [](const RowBatch&) -> Result<std::shared_ptr<void>> { return std::shared_ptr<void>(); },
      [&](RowBatch&& batch, std::shared_ptr<void>) -> Status {
        const int64_t first = next_row;
        next_row += batch.rows.num_rows();
        totals.rows_read = next_row;
        if (selection.ExhaustedAt(first)) return OkStatus();
        PROBITY_ASSIGN_OR_RETURN(
            ExplainedBatch explained,
            ExplainTable(model, batch.rows, first, selection, request, reader.path()));
        if (explained.row_indices.empty()) return OkStatus();
        const Attributions& a = explained.attributions;
        const size_t outputs = a.outputs.size();
        if (!have_header) {
          // The header keeps two "rows" of base values: the smallest and the largest seen,
          // so its JSON says whether the base value is one number for every row.
          totals.header = a;
          totals.header.values = {};
          totals.header.prediction = {};
          totals.header.rows = 2;
          totals.header.base.assign(2 * outputs, 0);
          for (size_t k = 0; k < outputs; ++k) {
            totals.header.base[k] = totals.header.base[outputs + k] = a.base[k];
          }
          have_header = true;
        }
        for (size_t i = 0; i < static_cast<size_t>(a.rows) * outputs; ++i) {
          const size_t k = i % outputs;
          totals.header.base[k] = std::min(totals.header.base[k], a.base[i]);
          totals.header.base[outputs + k] = std::max(totals.header.base[outputs + k], a.base[i]);
        }
        totals.rows_explained += a.rows;
        totals.max_additivity_error = std::max(totals.max_additivity_error, a.max_additivity_error);
        totals.max_model_difference =
            std::max(totals.max_model_difference, explained.max_model_difference);
        totals.model_evaluations += a.model_evaluations;
        totals.coalitions = std::max(totals.coalitions, a.coalitions);
        return sink(std::move(explained));
      });
  PROBITY_RETURN_IF_ERROR(scanned);
  totals.scan = reader.summary();
  totals.header.max_additivity_error = totals.max_additivity_error;
  totals.header.model_evaluations = totals.model_evaluations;
  totals.header.coalitions = totals.coalitions;
  return totals;
}

// ---- Samples and backgrounds ---------------------------------------------------------------

Result<Table> SampleDataset(FileSystem& fs, const std::string& path,
                            const ingest::DatasetSpec& spec, const ingest::ScanOptions& options,
                            int64_t n, uint64_t seed, ingest::ScanSummary* summary) {
  // Pass 1: count rows.
  int64_t total = 0;
  {
    ingest::ScanOptions quiet = options;
    quiet.progress = nullptr;
    PROBITY_ASSIGN_OR_RETURN(auto reader, ingest::DatasetReader::Open(fs, path, spec, quiet));
    PROBITY_RETURN_IF_ERROR(reader->Scan(
        [](const RowBatch&) -> Result<std::shared_ptr<void>> { return std::shared_ptr<void>(); },
        [&](RowBatch&& batch, std::shared_ptr<void>) -> Status {
          total += batch.rows.num_rows();
          return OkStatus();
        }));
  }
  // The n row indices with the smallest hashes.
  std::vector<uint8_t> chosen(static_cast<size_t>(total), 0);
  if (total <= n) {
    std::fill(chosen.begin(), chosen.end(), 1);
  } else {
    std::priority_queue<std::pair<uint64_t, int64_t>> heap;  // largest hash on top
    for (int64_t r = 0; r < total; ++r) {
      const uint64_t h = MixSeed(seed, static_cast<uint64_t>(r));
      if (static_cast<int64_t>(heap.size()) < n) {
        heap.push({h, r});
      } else if (h < heap.top().first) {
        heap.pop();
        heap.push({h, r});
      }
    }
    while (!heap.empty()) {
      chosen[static_cast<size_t>(heap.top().second)] = 1;
      heap.pop();
    }
  }
  // Pass 2: keep them.
  PROBITY_ASSIGN_OR_RETURN(auto reader, ingest::DatasetReader::Open(fs, path, spec, options));
  std::optional<TableBuilder> builder;
  int64_t next = 0;
  PROBITY_RETURN_IF_ERROR(reader->Scan(
      [](const RowBatch&) -> Result<std::shared_ptr<void>> { return std::shared_ptr<void>(); },
      [&](RowBatch&& batch, std::shared_ptr<void>) -> Status {
        const int64_t rows = batch.rows.num_rows();
        std::vector<uint8_t> keep(static_cast<size_t>(rows), 0);
        for (int64_t r = 0; r < rows && next + r < total; ++r) {
          keep[static_cast<size_t>(r)] = chosen[static_cast<size_t>(next + r)];
        }
        next += rows;
        if (!builder) builder.emplace(batch.rows.schema());
        return builder->Append(FilterRows(batch.rows, keep));
      }));
  if (summary != nullptr) *summary = reader->summary();
  if (!builder) return Table(reader->schema(), std::vector<Column>(reader->schema().size()));
  return std::move(*builder).Finish();
}

Result<Background> BackgroundFromTable(const Model& model, const Table& table,
                                       const std::string& source,
                                       const BackgroundOptions& options) {
  PROBITY_ASSIGN_OR_RETURN(InputFrame frame, ReadInputFrame(model.info(), table, source));
  if (frame.rows == 0) {
    return InvalidArgumentError(source + ": the background has no rows")
        .Expecting("one or more rows to average absent features over");
  }
  return SummarizeBackground(frame, options);
}

// ---- Reasons -------------------------------------------------------------------------------

Result<Background> ThresholdBackground(const Model& model, const Table& data,
                                       const std::string& source, const ReasonsRequest& request,
                                       int64_t n) {
  PROBITY_ASSIGN_OR_RETURN(InputFrame frame, ReadInputFrame(model.info(), data, source));
  PROBITY_ASSIGN_OR_RETURN(Buffer<double> scores, ScoreRows(model, frame, frame.values,
                                                            frame.rows, request.score_space));
  const size_t width = frame.rows == 0 ? 0 : scores.size() / static_cast<size_t>(frame.rows);
  std::vector<std::pair<double, int64_t>> favourable;
  for (int64_t r = 0; r < frame.rows; ++r) {
    const double s = scores[static_cast<size_t>(r) * width + request.output];
    if (std::isnan(s)) continue;
    const bool unfavourable = request.options.unfavourable_above
                                  ? s >= request.options.threshold
                                  : s < request.options.threshold;
    if (!unfavourable) favourable.push_back({std::fabs(s - request.options.threshold), r});
  }
  if (favourable.empty()) {
    return InvalidArgumentError(source + ": no row is scored on the favourable side of " +
                                std::to_string(request.options.threshold))
        .Expecting("approved rows to serve as the threshold reference (or --reference population)");
  }
  std::sort(favourable.begin(), favourable.end());
  if (static_cast<int64_t>(favourable.size()) > n) favourable.resize(static_cast<size_t>(n));
  std::sort(favourable.begin(), favourable.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  Background background;
  background.frame = EmptyLike(frame);
  background.frame.rows = static_cast<int64_t>(favourable.size());
  for (const auto& [distance, r] : favourable) {
    (void)distance;
    background.frame.values.insert(background.frame.values.end(), frame.row(r),
                                   frame.row(r) + frame.width());
  }
  background.weights.assign(favourable.size(), 1.0 / static_cast<double>(favourable.size()));
  background.summary = std::to_string(favourable.size()) +
                       " rows scored on the favourable side closest to the threshold";
  return background;
}

Result<ReasonReport> ReasonsForDataset(const Model& model, ingest::DatasetReader& reader,
                                       const RowSelection& selection,
                                       const ReasonsRequest& request) {
  // The report's header, and the check of the table, K and the protected list against the
  // players before any work: a selection over no rows still validates them.
  Attributions none;
  none.method = request.shap.method == ShapMethod::kTree ? "tree_path_dependent"
                : request.shap.method == ShapMethod::kInterventional
                    ? "tree_interventional"
                    : std::string(ShapMethodName(request.shap.method));
  none.space = request.shap.space;
  none.players = request.shap.players.names;
  none.outputs = ExplainedOutputNames(model.info(), static_cast<int>(request.output) + 1);
  PROBITY_ASSIGN_OR_RETURN(
      ReasonReport total,
      SelectReasons(none, request.output, {}, {}, request.table, request.options));
  total.stability_runs =
      IsSampled(request.shap.method) || !request.rerun_backgrounds.empty() ? request.stability_runs
                                                                            : 0;
  int64_t next_row = 0;
  int64_t scored = 0;
  Status scanned = reader.Scan(
      [](const RowBatch&) -> Result<std::shared_ptr<void>> { return std::shared_ptr<void>(); },
      [&](RowBatch&& batch, std::shared_ptr<void>) -> Status {
        const int64_t first_row = next_row;
        next_row += batch.rows.num_rows();
        if (selection.ExhaustedAt(first_row)) return OkStatus();
        // Score the selected rows, keep the unfavourable ones.
        std::vector<uint8_t> keep(static_cast<size_t>(batch.rows.num_rows()), 0);
        for (int64_t r = 0; r < batch.rows.num_rows(); ++r) {
          keep[static_cast<size_t>(r)] = selection.Contains(first_row + r) ? 1 : 0;
        }
        Table rows = FilterRows(batch.rows, keep);
        std::vector<int64_t> index;
        for (int64_t r = 0; r < batch.rows.num_rows(); ++r) {
          if (keep[static_cast<size_t>(r)]) index.push_back(first_row + r);
        }
        if (rows.num_rows() == 0) return OkStatus();
        PROBITY_ASSIGN_OR_RETURN(Predictions p, model.Predict(rows));
        PROBITY_ASSIGN_OR_RETURN(Buffer<double> s, ExplainedOutputs(model, p, request.score_space));
        const size_t width = s.size() / static_cast<size_t>(rows.num_rows());
        if (request.output >= width) {
          return InvalidArgumentError("the explained output index is out of range");
        }
        scored += rows.num_rows();
        std::vector<uint8_t> unfavourable(static_cast<size_t>(rows.num_rows()), 0);
        std::vector<double> scores;
        std::vector<int64_t> unfavourable_index;
        for (int64_t r = 0; r < rows.num_rows(); ++r) {
          const double v = s[static_cast<size_t>(r) * width + request.output];
          const bool bad = !std::isnan(v) && (request.options.unfavourable_above
                                                  ? v >= request.options.threshold
                                                  : v < request.options.threshold);
          if (bad) {
            unfavourable[static_cast<size_t>(r)] = 1;
            scores.push_back(v);
            unfavourable_index.push_back(index[static_cast<size_t>(r)]);
          }
        }
        if (scores.empty()) return OkStatus();
        Table declined = FilterRows(rows, unfavourable);
        PROBITY_ASSIGN_OR_RETURN(ExplainedBatch main, ExplainTable(model, declined, 0, RowSelection(),
                                                                   request.shap, reader.path(),
                                                                   &unfavourable_index));
        std::vector<Attributions> reruns;
        if (IsSampled(request.shap.method) || !request.rerun_backgrounds.empty()) {
          for (int k = 1; k <= request.stability_runs; ++k) {
            ShapRequest other = request.shap;
            other.seed = request.shap.seed + static_cast<uint64_t>(k);
            if (static_cast<size_t>(k) <= request.rerun_backgrounds.size()) {
              other.background = request.rerun_backgrounds[static_cast<size_t>(k - 1)];
            }
            PROBITY_ASSIGN_OR_RETURN(ExplainedBatch rerun,
                                     ExplainTable(model, declined, 0, RowSelection(), other,
                                                  reader.path(), &unfavourable_index));
            reruns.push_back(std::move(rerun.attributions));
          }
        }
        PROBITY_ASSIGN_OR_RETURN(ReasonReport part,
                                 SelectReasons(main.attributions, request.output, scores, reruns,
                                               request.table, request.options));
        for (RowReasons& row : part.rows) {
          row.row = unfavourable_index[static_cast<size_t>(row.row)];
          total.rows.push_back(std::move(row));
        }
        total.unstable_rows += part.unstable_rows;
        return OkStatus();
      });
  PROBITY_RETURN_IF_ERROR(scanned);
  total.rows_scored = scored;
  return total;
}

}  // namespace probity::explain
