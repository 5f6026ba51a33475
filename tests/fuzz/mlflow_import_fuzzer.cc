// libFuzzer target: arbitrary bytes as an MLflow MLmodel file (YAML).
#include <cstdlib>
#include <string>

#include "lineage/import/mlflow.h"
#include "tests/testing/memory_record_sink.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  probity::testing::MemoryRecordSink sink;
  auto summary = probity::lineage::ImportMlflowModel(text, "MLmodel", sink);
  if (!summary.has_value()) {
    if (summary.error().location().file != "MLmodel") std::abort();
    if (!sink.records().empty()) std::abort();
  }
  return 0;
}
