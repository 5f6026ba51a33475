// libFuzzer target: arbitrary bytes through the JSON Lines reader and the profile.
#include "tests/fuzz/fuzz_dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  probity::fuzz::FuzzDataset(data, size, probity::ingest::FileFormat::kJsonLines);
  return 0;
}
