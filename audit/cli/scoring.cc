#include "audit/cli/scoring.h"

#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <optional>

#include "audit/cli/model_options.h"
#include "audit/cli/progress.h"
#include "audit/core/file_system.h"
#include "audit/core/status.h"
#include "audit/ingest/csv_writer.h"
#include "audit/ingest/dataset_reader.h"
#include "audit/ingest/models/feature_binding.h"

namespace probity::cli {
namespace {

struct ScoredBatch {
  std::string csv;
  int64_t rows = 0;
  LabelScore score;
  // What the header needs to know: the shape of this batch's predictions.
  bool has_probabilities = false;
  int margin_width = 0;
  std::vector<std::string> extra_names;
};

// Counts a label value that names no class; only the first few distinct values are kept
// (they go into one warning).
void CountUnmatched(LabelScore& score, const std::string& value, int64_t n) {
  constexpr size_t kMaxUnmatched = 8;
  if (auto it = score.unmatched.find(value); it != score.unmatched.end()) {
    it->second += n;
  } else if (score.unmatched.size() < kMaxUnmatched) {
    score.unmatched.emplace(value, n);
  }
}

std::string HeaderLine(const std::vector<std::string>& names) {
  std::string line;
  ingest::AppendCsvHeader(names, &line);
  return line;
}

class PredictionWriter {
 public:
  PredictionWriter(const Model& model, const ScoreRequest& args, const Schema& schema)
      : info_(model.info()), args_(args) {
    for (const auto& pair : args.label_map) {
      const size_t eq = pair.find('=');
      label_map_[pair.substr(0, eq)] = pair.substr(eq + 1);
    }
    for (const std::string& name : args.keep) keep_.push_back(*schema.IndexOf(name));
    if (!args.label.empty()) label_ = *schema.IndexOf(args.label);
  }

  std::vector<std::string> Header(const ScoredBatch& first) const {
    std::vector<std::string> names = args_.keep;
    for (const std::string& n : PredictionColumnNames(info_, first.has_probabilities)) {
      names.push_back(n);
    }
    if (args_.with_margin) {
      for (int k = 0; k < first.margin_width; ++k) {
        names.push_back(first.margin_width == 1 ? "margin" : fmt::format("margin({})", k));
      }
    }
    if (args_.with_outputs)
      names.insert(names.end(), first.extra_names.begin(), first.extra_names.end());
    return names;
  }

  Result<ScoredBatch> Score(const RowBatch& batch, const Model& model) const {
    PROBITY_ASSIGN_OR_RETURN(Predictions p, model.Predict(batch.rows));
    ScoredBatch out;
    out.rows = p.rows;
    out.has_probabilities = !p.probabilities.empty();
    out.margin_width = p.margin_width;
    for (const auto& [name, column] : p.extra) out.extra_names.push_back(name);
    const bool classifier = info_.task != ModelTask::kRegression;
    const size_t classes = info_.classes.size();
    std::string& csv = out.csv;
    csv.reserve(static_cast<size_t>(p.rows) * 24);
    for (int64_t r = 0; r < p.rows; ++r) {
      bool first = true;
      auto separator = [&] {
        if (!first) csv += ',';
        first = false;
      };
      for (size_t column : keep_) {
        separator();
        ingest::AppendCsvCell(batch.rows.column(column), r, &csv);
      }
      if (classifier) {
        separator();
        const int32_t label = p.labels[static_cast<size_t>(r)];
        if (label >= 0 && static_cast<size_t>(label) < classes) {
          ingest::AppendCsvField(info_.classes[static_cast<size_t>(label)], &csv);
        }
        if (!p.probabilities.empty()) {
          for (size_t k = 0; k < classes; ++k) {
            separator();
            ingest::AppendCsvNumber(p.Probability(r, k), &csv);
          }
        }
      } else {
        for (int k = 0; k < info_.num_targets; ++k) {
          separator();
          ingest::AppendCsvNumber(p.Value(r, k), &csv);
        }
      }
      if (args_.with_margin) {
        for (int k = 0; k < p.margin_width; ++k) {
          separator();
          ingest::AppendCsvNumber(p.margins[static_cast<size_t>(r * p.margin_width + k)], &csv);
        }
      }
      if (args_.with_outputs) {
        for (const auto& [name, column] : p.extra) {
          separator();
          ingest::AppendCsvCell(column, r, &csv);
        }
      }
      csv += '\n';
      if (label_) ScoreRow(batch.rows.column(*label_), r, p, out.score);
    }
    return out;
  }

 private:
  void ScoreRow(const Column& label_column, int64_t r, const Predictions& p,
                LabelScore& score) const {
    if (!label_column.IsValid(r)) return;
    if (info_.task == ModelTask::kRegression) {
      const double predicted = p.Value(r);
      if (std::isnan(predicted)) return;
      const double truth = label_column.NumberAt(r);
      if (std::isnan(truth)) return;  // a label that is not a number is not scored
      ++score.rows;
      score.abs_error += std::fabs(predicted - truth);
      score.squared_error += (predicted - truth) * (predicted - truth);
      return;
    }
    const int32_t label = p.labels[static_cast<size_t>(r)];
    if (label < 0 || static_cast<size_t>(label) >= info_.classes.size()) return;
    std::string truth = models::CellText(label_column, r);
    if (auto it = label_map_.find(truth); it != label_map_.end()) truth = it->second;
    bool known = false;
    for (const std::string& c : info_.classes) known = known || c == truth;
    if (!known) {
      CountUnmatched(score, truth, 1);
      return;
    }
    ++score.rows;
    score.correct += info_.classes[static_cast<size_t>(label)] == truth;
  }

  const ModelInfo& info_;
  const ScoreRequest& args_;
  std::map<std::string, std::string> label_map_;
  std::vector<size_t> keep_;
  std::optional<size_t> label_;
};

Status CheckColumns(const ScoreRequest& args, const Schema& schema, const std::string& path) {
  std::vector<std::string> wanted = args.keep;
  if (!args.label.empty()) wanted.push_back(args.label);
  for (const std::string& name : wanted) {
    if (!schema.IndexOf(name)) {
      return InvalidArgumentError(path + " has no column \"" + name + "\"")
          .Expecting("a column of the data for --keep/--label");
    }
  }
  for (const std::string& pair : args.label_map) {
    if (pair.find('=') == std::string::npos) {
      return InvalidArgumentError("--label-map \"" + pair + "\"").Expecting("VALUE=CLASS");
    }
  }
  return OkStatus();
}

}  // namespace

Result<ScoreResult> ScoreDataset(const Model& model, const ScoreRequest& args,
                                 const GlobalOptions& global) {
  PROBITY_ASSIGN_OR_RETURN(ingest::DatasetSpec spec, BuildDatasetSpec(args.data));
  if (!spec.schema) spec.type_hints = models::InputTypeHints(model.info());
  ingest::ScanOptions options = BuildScanOptions(args.data, global);
  ProgressBar bar("scoring " + args.data.path, ProgressBar::ShouldShow(global.quiet));
  options.progress = [&bar](int64_t done, int64_t total) { bar.Update(done, total); };
  PROBITY_ASSIGN_OR_RETURN(
      auto reader, ingest::DatasetReader::Open(LocalFileSystem(), args.data.path, spec, options));
  PROBITY_RETURN_IF_ERROR(CheckColumns(args, reader->schema(), args.data.path));

  const bool to_stdout = args.out.empty() || args.out == "-";
  std::unique_ptr<OutputFile> file;
  if (!to_stdout) {
    PROBITY_ASSIGN_OR_RETURN(file, LocalFileSystem().CreateAtomically(args.out));
  }
  auto emit = [&](std::string_view text) -> Status {
    if (file) return file->Append(text);
    if (!(std::cout << text)) return IoError("could not write the predictions to stdout");
    return OkStatus();
  };
  PredictionWriter writer(model, args, reader->schema());
  LabelScore total;
  int64_t rows = 0;
  bool header_written = false;
  std::vector<std::string> header;
  Status scanned = ingest::ScanDataset<ScoredBatch>(
      *reader, [&](const RowBatch& batch) { return writer.Score(batch, model); },
      [&](RowBatch&& batch, ScoredBatch&& scored) -> Status {
        (void)batch;
        if (!header_written) {
          header = writer.Header(scored);
          PROBITY_RETURN_IF_ERROR(emit(HeaderLine(header)));
          header_written = true;
        }
        rows += scored.rows;
        total.rows += scored.score.rows;
        total.correct += scored.score.correct;
        total.abs_error += scored.score.abs_error;
        total.squared_error += scored.score.squared_error;
        for (const auto& [value, n] : scored.score.unmatched) CountUnmatched(total, value, n);
        return emit(scored.csv);
      });
  bar.Finish();
  PROBITY_RETURN_IF_ERROR(scanned);
  if (!header_written) {  // no rows: the header alone, assuming probabilities
    ScoredBatch none;
    none.has_probabilities = true;
    header = writer.Header(none);
    PROBITY_RETURN_IF_ERROR(emit(HeaderLine(header)));
  }
  if (file) {
    PROBITY_RETURN_IF_ERROR(file->Commit());
  } else if (!(std::cout << std::flush)) {
    return IoError("could not write the predictions to stdout");
  }
  ScoreResult result;
  result.rows = rows;
  result.data_digest = reader->summary().digest;
  result.columns = std::move(header);
  result.score = std::move(total);
  return result;
}

}  // namespace probity::cli
