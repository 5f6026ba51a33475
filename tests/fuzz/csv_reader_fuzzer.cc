// libFuzzer target: arbitrary bytes through CSV detection, tokenizing, conversion and the
// profile.
#include "tests/fuzz/fuzz_dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  probity::fuzz::FuzzDataset(data, size, probity::ingest::FileFormat::kCsv);
  return 0;
}
