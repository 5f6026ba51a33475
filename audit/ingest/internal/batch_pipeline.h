// Runs the parse-map-reduce pipeline behind DatasetReader::Scan: one thread cuts the input
// into row-aligned chunks, worker threads parse each chunk into a RowBatch and map it to a
// partial result, and the calling thread reduces the partials strictly in file order. At
// most a fixed window of chunks is in flight, so memory does not grow with the file.
// Chunk boundaries depend only on the bytes, so results do not depend on the thread count.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "audit/core/buffer.h"
#include "audit/core/result.h"
#include "audit/core/table.h"

namespace probity::ingest::internal {

struct Chunk {
  int64_t sequence = 0;
  int64_t first_line = 0;
  Buffer<char> text;  // whole rows; parsing may modify them in place
};

using ChunkSupplier = std::function<Result<std::optional<Chunk>>()>;  // nullopt at the end
using ChunkParser = std::function<Result<RowBatch>(Chunk&)>;  // thread-safe; may modify the text
using BatchMapper = std::function<Result<std::shared_ptr<void>>(const RowBatch&)>;
using BatchReducer = std::function<Status(RowBatch&&, std::shared_ptr<void>)>;

// Returns the first error in file order (a bad chunk before a later read error), or OK.
Status RunBatchPipeline(int threads, const ChunkSupplier& next, const ChunkParser& parse,
                        const BatchMapper& map, const BatchReducer& reduce);

}  // namespace probity::ingest::internal
