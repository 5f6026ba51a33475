// Google Benchmark harness for the ingestion hot paths: the CSV scan alone (tokenize and
// convert) and the full profile, on a file named by PROBITY_BENCH_CSV (bench/make_profile_csv.py
// writes one), plus the number parsers on synthetic fields. The peer comparison with
// pandas is bench/profile_vs_pandas.py.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "audit/core/file_system.h"
#include "audit/ingest/dataset_reader.h"
#include "audit/ingest/internal/text_values.h"
#include "audit/ingest/profile.h"

namespace probity::ingest {
namespace {

const char* BenchFile(benchmark::State& state) {
  const char* path = std::getenv("PROBITY_BENCH_CSV");
  if (path == nullptr) state.SkipWithError("set PROBITY_BENCH_CSV to a CSV file");
  return path;
}

// Opens the benchmark file with `state.range(0)` threads; nullptr (and the benchmark
// skipped) when there is no file or it cannot be read.
std::unique_ptr<DatasetReader> OpenBenchReader(benchmark::State& state) {
  const char* path = BenchFile(state);
  if (path == nullptr) return nullptr;
  ScanOptions options;
  options.threads = static_cast<int>(state.range(0));
  auto reader = DatasetReader::Open(LocalFileSystem(), path, {}, options);
  if (!reader.has_value()) {
    state.SkipWithError(reader.error().ToString().c_str());
    return nullptr;
  }
  return std::move(reader).value();
}

void BM_ScanCsv(benchmark::State& state) {
  int64_t bytes = 0;
  for (auto _ : state) {
    std::unique_ptr<DatasetReader> reader = OpenBenchReader(state);
    if (reader == nullptr) return;
    int64_t rows = 0;
    Status s = reader->Scan(
        [](const RowBatch&) -> Result<std::shared_ptr<void>> { return std::shared_ptr<void>(); },
        [&](RowBatch&& b, std::shared_ptr<void>) {
          rows += b.rows.num_rows();
          return OkStatus();
        });
    benchmark::DoNotOptimize(rows);
    bytes += reader->summary().text_bytes;
  }
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_ScanCsv)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Profile(benchmark::State& state) {
  int64_t bytes = 0;
  for (auto _ : state) {
    std::unique_ptr<DatasetReader> reader = OpenBenchReader(state);
    if (reader == nullptr) return;
    auto profile = ProfileDataset(*reader);
    benchmark::DoNotOptimize(profile);
    bytes += reader->summary().text_bytes;
  }
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_Profile)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

std::vector<std::string> DecimalFields() {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(-1000, 1000);
  std::vector<std::string> out;
  char buffer[32];
  for (int i = 0; i < 4096; ++i) {
    std::snprintf(buffer, sizeof buffer, "%.*f", static_cast<int>(rng() % 5), u(rng));
    out.emplace_back(buffer);
  }
  return out;
}

void BM_ParseFloat64(benchmark::State& state) {
  std::vector<std::string> fields = DecimalFields();
  double sum = 0;
  for (auto _ : state) {
    for (const std::string& f : fields) {
      double v;
      if (internal::ParseFloat64(f, &v) == internal::NumberParse::kOk) sum += v;
    }
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(fields.size()));
}
BENCHMARK(BM_ParseFloat64);

}  // namespace
}  // namespace probity::ingest

BENCHMARK_MAIN();
