// libFuzzer target: arbitrary bytes as an OpenLineage file (JSON, JSON array or JSON Lines);
// what imports is exported back, which must validate.
#include <cstdlib>
#include <string>

#include "lineage/export/openlineage.h"
#include "lineage/import/openlineage.h"
#include "tests/testing/memory_record_sink.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  probity::testing::MemoryRecordSink sink;
  auto summary = probity::lineage::ImportOpenLineage(text, "fuzz.json", sink);
  if (!summary.has_value()) {
    if (summary.error().location().file != "fuzz.json") std::abort();
    if (!sink.records().empty()) std::abort();  // rejected whole
    return 0;
  }
  auto events = probity::lineage::ExportOpenLineage(sink.AsStored());
  (void)events;  // may fail (e.g. an event time that is not RFC 3339), never crash
  return 0;
}
