// libFuzzer target: arbitrary bytes as a LightGBM text model, loaded and scored.
#include "audit/ingest/models/lightgbm_model.h"
#include "tests/fuzz/fuzz_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  probity::fuzz::FuzzModel(data, size, [](const std::string& text) {
    return probity::models::LoadLightGBMModel(text, "fuzz.txt", {});
  });
  return 0;
}
