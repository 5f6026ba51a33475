// Records as the store returns them for a small pipeline Probity observed itself: a training
// run (START then COMPLETE) in a nightly pipeline, reading a CSV from S3 and writing a model
// known only by its digest. Shared by the export tests.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

namespace probity::testing {

inline std::vector<nlohmann::json> NativeRecords() {
  using nlohmann::json;
  const std::string data_digest =
      "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  const std::string model_digest =
      "sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";
  return {
      {{"record", "artifact"},
       {"id", 1},
       {"time", "2026-01-01T00:00:00Z"},
       {"digest", data_digest},
       {"kind", "dataset"},
       {"uri", "s3://bucket/data/train.csv"}},
      {{"record", "context"},
       {"id", 2},
       {"time", "2026-01-01T00:00:00Z"},
       {"type", "pipeline_run"},
       {"name", "nightly"}},
      {{"record", "execution"},
       {"id", 3},
       {"time", "2026-01-01T00:00:01Z"},
       {"name", "train"},
       {"type", "xgboost"},
       {"status", "running"},
       {"parameters", {{"max_depth", 6}}},
       {"started", "2026-01-01T00:00:01Z"}},
      {{"record", "event"},
       {"id", 4},
       {"time", "2026-01-01T00:00:01Z"},
       {"execution", 3},
       {"artifact", 1},
       {"direction", "input"}},
      {{"record", "artifact"},
       {"id", 5},
       {"time", "2026-01-01T00:10:00Z"},
       {"digest", model_digest},
       {"kind", "model"}},
      {{"record", "association"},
       {"id", 6},
       {"time", "2026-01-01T00:00:01Z"},
       {"context", 2},
       {"execution", 3}},
      {{"record", "execution"},
       {"id", 7},
       {"time", "2026-01-01T00:10:00Z"},
       {"name", "train"},
       {"status", "complete"},
       {"previous", 3},
       {"started", "2026-01-01T00:00:01Z"},
       {"ended", "2026-01-01T00:10:00Z"},
       {"exit_code", 0}},
      {{"record", "event"},
       {"id", 8},
       {"time", "2026-01-01T00:10:00Z"},
       {"execution", 7},
       {"artifact", 5},
       {"direction", "output"},
       {"role", "model"}},
  };
}

}  // namespace probity::testing
