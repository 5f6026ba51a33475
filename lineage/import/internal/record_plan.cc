#include "lineage/import/internal/record_plan.h"

namespace probity::lineage::internal {

size_t RecordPlan::Add(RecordKind kind, nlohmann::json fields, nlohmann::json source, bool dedupe,
                       Links links) {
  std::string key;
  if (dedupe) {
    key = std::string(RecordKindName(kind)) + '\n' +
          fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    for (const auto& [field, target] : links) key += '\n' + field + '=' + std::to_string(target);
    if (auto it = dedupe_index_.find(key); it != dedupe_index_.end()) return it->second;
  }
  if (!source.is_null()) fields["source"] = std::move(source);
  records_.push_back({Record{kind, std::move(fields)}, std::move(links)});
  size_t index = records_.size() - 1;
  if (dedupe) dedupe_index_.emplace(std::move(key), index);
  return index;
}

Result<std::vector<int64_t>> RecordPlan::Commit(RecordSink& sink) const {
  std::vector<int64_t> ids;
  ids.reserve(records_.size());
  for (const auto& planned : records_) {
    Record record = planned.record;
    for (const auto& [field, target] : planned.links) record.fields[field] = ids[target];
    PROBITY_ASSIGN_OR_RETURN(int64_t id, sink.Add(std::move(record)));
    ids.push_back(id);
  }
  return ids;
}

}  // namespace probity::lineage::internal
