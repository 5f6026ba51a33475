// libFuzzer target: arbitrary bytes as SageMaker EventBridge events and as CloudTrail records.
#include <cstdlib>
#include <string>

#include "lineage/import/sagemaker.h"
#include "tests/testing/memory_record_sink.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  for (auto import :
       {&probity::lineage::ImportSageMakerEvents, &probity::lineage::ImportCloudTrail}) {
    probity::testing::MemoryRecordSink sink;
    auto summary = import(text, "fuzz.json", sink);
    if (!summary.has_value()) {
      if (summary.error().location().file != "fuzz.json") std::abort();
      if (!sink.records().empty()) std::abort();  // rejected whole
    }
  }
  return 0;
}
