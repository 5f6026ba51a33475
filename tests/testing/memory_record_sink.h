// A RecordSink that keeps records in memory, for importer tests and fuzzers: ids count from
// 1 in the order records are added, like the store's; Fail() makes Add fail from then on.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lineage/record.h"

namespace probity::testing {

class MemoryRecordSink : public lineage::RecordSink {
 public:
  Result<int64_t> Add(lineage::Record record) override {
    if (fail_after_ >= 0 && static_cast<int64_t>(records_.size()) >= fail_after_) {
      return IoError("memory sink: injected failure");
    }
    records_.push_back(std::move(record));
    return static_cast<int64_t>(records_.size());
  }

  // Add fails (kIoError) once this many records are held.
  void FailAfter(int64_t count) { fail_after_ = count; }

  const std::vector<lineage::Record>& records() const { return records_; }
  // The record with this id (1-based).
  const lineage::Record& at(int64_t id) const { return records_.at(static_cast<size_t>(id - 1)); }

  // The records of one kind, in order.
  std::vector<lineage::Record> OfKind(lineage::RecordKind kind) const {
    std::vector<lineage::Record> out;
    for (const auto& record : records_) {
      if (record.kind == kind) out.push_back(record);
    }
    return out;
  }

  // Records as the store returns them: {"record": kind, "id": n, "time": time, fields…}.
  std::vector<nlohmann::json> AsStored(const std::string& time = "2026-01-01T00:00:00Z") const {
    std::vector<nlohmann::json> out;
    for (size_t i = 0; i < records_.size(); ++i) {
      nlohmann::json stored = records_[i].fields;
      stored["record"] = std::string(lineage::RecordKindName(records_[i].kind));
      stored["id"] = static_cast<int64_t>(i + 1);
      stored["time"] = time;
      out.push_back(std::move(stored));
    }
    return out;
  }

 private:
  std::vector<lineage::Record> records_;
  int64_t fail_after_ = -1;
};

}  // namespace probity::testing
