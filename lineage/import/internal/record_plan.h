// The records an import will add, planned before any is added: importers check and map a
// whole input first, so that an input that fails is rejected whole (nothing reaches the
// sink), and only then hand the plan to a RecordSink. Records refer to each other by their
// index in the plan; Commit turns those indices into the ids the sink returns.
//
//   RecordPlan plan;
//   size_t run = plan.Add(RecordKind::kExecution, fields, source);
//   size_t data = plan.Add(RecordKind::kArtifact, artifact, source, /*dedupe=*/true);
//   plan.Add(RecordKind::kEvent, {{"direction", "input"}}, source, false,
//            {{"execution", run}, {"artifact", data}});
//   PROBITY_ASSIGN_OR_RETURN(std::vector<int64_t> ids, plan.Commit(sink));
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "audit/core/result.h"
#include "lineage/record.h"

namespace probity::lineage::internal {

class RecordPlan {
 public:
  using Links = std::vector<std::pair<std::string, size_t>>;

  // Plans a record with `fields`, `source` (stored as the "source" field unless null) and
  // `links` (field name → index of an earlier planned record whose id fills that field).
  // With `dedupe`, a record of the same kind with equal fields and links (the source is not
  // compared) planned earlier is reused and its index returned; the first source is kept.
  size_t Add(RecordKind kind, nlohmann::json fields, nlohmann::json source, bool dedupe = false,
             Links links = {});

  size_t size() const { return records_.size(); }
  const Record& record(size_t index) const { return records_[index].record; }

  // Adds every planned record to `sink` in order; returns their ids. Stops at the first
  // error of the sink and returns it.
  Result<std::vector<int64_t>> Commit(RecordSink& sink) const;

 private:
  struct Planned {
    Record record;
    Links links;
  };
  std::vector<Planned> records_;
  std::map<std::string, size_t> dedupe_index_;
};

}  // namespace probity::lineage::internal
