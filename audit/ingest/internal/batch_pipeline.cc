#include "audit/ingest/internal/batch_pipeline.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace probity::ingest::internal {
namespace {

// Runs `f` (returning Status), turning an escaping exception into the Status it means:
// out of memory is an environment error, anything else a bug. Nothing may escape a worker
// thread or leave the pipeline with threads still running.
template <typename F>
Status Guarded(const char* activity, F&& f) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return IoError(std::string("out of memory while ") + activity).Expecting("more free memory");
  } catch (const std::exception& e) {
    return InternalError(std::string("unexpected exception while ") + activity + ": " + e.what());
  }
}

struct Slot {
  Status status;
  RowBatch batch;
  std::shared_ptr<void> partial;
};

}  // namespace

Status RunBatchPipeline(int threads, const ChunkSupplier& next, const ChunkParser& parse,
                        const BatchMapper& map, const BatchReducer& reduce) {
  if (threads < 1) threads = 1;
  const int64_t window = 2 * static_cast<int64_t>(threads) + 1;

  std::mutex mutex;
  std::condition_variable work_ready;
  std::condition_variable result_ready;
  std::deque<Chunk> queue;
  std::map<int64_t, Slot> results;
  bool closing = false;

  auto work = [&](Chunk chunk) {
    Slot slot;
    slot.status = Guarded("parsing", [&]() -> Status {
      PROBITY_ASSIGN_OR_RETURN(slot.batch, parse(chunk));
      PROBITY_ASSIGN_OR_RETURN(slot.partial, map(slot.batch));
      return OkStatus();
    });
    std::lock_guard lock(mutex);
    results.emplace(chunk.sequence, std::move(slot));
    result_ready.notify_all();
  };

  std::vector<std::thread> workers;
  workers.reserve(static_cast<size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      while (true) {
        std::unique_lock lock(mutex);
        work_ready.wait(lock, [&] { return closing || !queue.empty(); });
        if (queue.empty()) return;  // closing
        Chunk chunk = std::move(queue.front());
        queue.pop_front();
        lock.unlock();
        work(std::move(chunk));
      }
    });
  }

  Status outcome;
  Status supplier_error;
  int64_t submitted = 0;
  int64_t reduced = 0;
  bool end_of_input = false;
  while (true) {
    while (!end_of_input && submitted - reduced < window) {
      std::optional<Chunk> chunk;
      Status read = Guarded("reading", [&]() -> Status {
        PROBITY_ASSIGN_OR_RETURN(chunk, next());
        return OkStatus();
      });
      if (!read.ok()) {
        supplier_error = std::move(read);
        end_of_input = true;
      } else if (!chunk.has_value()) {
        end_of_input = true;
      } else {
        std::lock_guard lock(mutex);
        queue.push_back(std::move(*chunk));
        ++submitted;
        work_ready.notify_one();
      }
    }
    if (reduced == submitted) break;
    Slot slot;
    {
      std::unique_lock lock(mutex);
      result_ready.wait(lock, [&] { return results.contains(reduced); });
      auto it = results.find(reduced);
      slot = std::move(it->second);
      results.erase(it);
    }
    if (!slot.status.ok()) {
      outcome = std::move(slot.status);
      break;
    }
    Status s = Guarded("aggregating",
                       [&] { return reduce(std::move(slot.batch), std::move(slot.partial)); });
    if (!s.ok()) {
      outcome = std::move(s);
      break;
    }
    ++reduced;
  }
  {
    std::lock_guard lock(mutex);
    closing = true;
    queue.clear();
  }
  work_ready.notify_all();
  for (std::thread& t : workers) t.join();
  if (!outcome.ok()) return outcome;
  return supplier_error;
}

}  // namespace probity::ingest::internal
