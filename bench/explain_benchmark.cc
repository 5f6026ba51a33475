// Times Probity's exact path-dependent TreeSHAP (or its interaction values) on a model and a
// CSV, for bench/explain_vs_xgboost.py. Only the explainer call is timed (the model is
// loaded and the CSV read and bound beforehand); best of --repeats runs.
//
//   explain_benchmark --model m.json --data rows.csv --threads 2 [--algorithm fast|classic]
//                     [--interactions] [--repeats 3] [--out values.f64]
//                     [--table-budget-mb 256]   (0: integrate every leaf per row)
//
// Prints one JSON line {"rows", "best_s", "median_s", "rows_per_s", "max_additivity_error"}.
// --out writes the values as little-endian doubles: SHAP rows × outputs × (players + 1)
// with the base value last (XGBoost's pred_contribs layout), or interactions rows × outputs
// × (players + 1)².
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "audit/core/file_system.h"
#include "audit/ingest/dataset_reader.h"
#include "audit/ingest/models/feature_binding.h"
#include "audit/ingest/models/model_loader.h"
#include "explain/tree_shap.h"

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "explain_benchmark: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace probity;  // NOLINT(google-build-using-namespace): a small driver
  std::string model_path;
  std::string data_path;
  std::string out_path;
  explain::TreeShapOptions options;
  bool interactions = false;
  int repeats = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : "";
    if (arg == "--model") {
      model_path = value, ++i;
    } else if (arg == "--data") {
      data_path = value, ++i;
    } else if (arg == "--out") {
      out_path = value, ++i;
    } else if (arg == "--threads") {
      options.threads = std::atoi(value), ++i;
    } else if (arg == "--repeats") {
      repeats = std::max(1, std::atoi(value)), ++i;
    } else if (arg == "--algorithm") {
      options.algorithm = std::strcmp(value, "classic") == 0
                              ? explain::TreeShapOptions::Algorithm::kClassic
                              : explain::TreeShapOptions::Algorithm::kFast;
      ++i;
    } else if (arg == "--table-budget-mb") {
      options.table_budget_bytes = static_cast<size_t>(std::atol(value)) << 20;
      ++i;
    } else if (arg == "--interactions") {
      interactions = true;
    } else {
      return Fail("unknown argument " + arg);
    }
  }
  FileSystem& fs = LocalFileSystem();
  auto model = models::LoadModel(fs, model_path);
  if (!model.has_value()) return Fail(model.error().ToString());
  const ModelInfo& info = (*model)->info();
  const TreeEnsembleView* view = (*model)->tree_view();
  if (view == nullptr) return Fail("the model has no tree view");
  ingest::DatasetSpec spec;
  spec.type_hints = models::InputTypeHints(info);
  ingest::ScanOptions scan;
  scan.threads = 2;
  auto table = ingest::ReadTable(fs, data_path, spec, scan);
  if (!table.has_value()) return Fail(table.error().ToString());
  auto x = (*model)->ViewInputs(*table);
  if (!x.has_value()) return Fail(x.error().ToString());
  const int64_t rows = table->num_rows();
  const explain::Players players = explain::InputPlayers(info);

  std::vector<double> seconds;
  std::vector<double> out;
  double additivity = 0;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    if (interactions) {
      auto m = explain::TreeShapInteractions(info, *view, players, *x, rows, options);
      seconds.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      if (!m.has_value()) return Fail(m.error().ToString());
      if (r == 0) out.assign(m->values.begin(), m->values.end());
    } else {
      auto a = explain::TreeShap(info, *view, players, *x, rows, options);
      seconds.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      if (!a.has_value()) return Fail(a.error().ToString());
      additivity = a->max_additivity_error;
      if (r == 0) {
        const size_t p = players.size();
        const size_t outputs = a->outputs.size();
        out.resize(static_cast<size_t>(rows) * outputs * (p + 1));
        for (size_t i = 0; i < static_cast<size_t>(rows) * outputs; ++i) {
          std::copy_n(a->values.begin() + static_cast<std::ptrdiff_t>(i * p), p,
                      out.begin() + static_cast<std::ptrdiff_t>(i * (p + 1)));
          out[i * (p + 1) + p] = a->base[i];
        }
      }
    }
  }
  if (!out_path.empty()) {
    std::FILE* f = std::fopen(out_path.c_str(), "wb");
    if (f == nullptr) return Fail("cannot write " + out_path);
    std::fwrite(out.data(), sizeof(double), out.size(), f);
    std::fclose(f);
  }
  std::vector<double> sorted = seconds;
  std::sort(sorted.begin(), sorted.end());
  std::printf(
      "{\"rows\": %lld, \"best_s\": %.6f, \"median_s\": %.6f, \"rows_per_s\": %.1f, "
      "\"max_additivity_error\": %.3g}\n",
      static_cast<long long>(rows), sorted.front(), sorted[sorted.size() / 2],
      static_cast<double>(rows) / sorted.front(), additivity);
  return 0;
}
