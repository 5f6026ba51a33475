// libFuzzer target: arbitrary bytes as a Probity native model JSON, loaded and scored.
#include "audit/ingest/models/native_model.h"
#include "tests/fuzz/fuzz_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  probity::fuzz::FuzzModel(data, size, [](const std::string& text) {
    return probity::models::LoadNativeModel(text, "fuzz.json", {});
  });
  return 0;
}
