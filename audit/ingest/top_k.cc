#include "audit/ingest/top_k.h"

#include <algorithm>

namespace probity::ingest {

void TopK::Add(std::string_view item, int64_t weight) {
  auto it = index_.find(std::string(item));
  if (it != index_.end()) {
    Entry& e = entries_[it->second];
    by_count_.erase({e.count, it->second});
    e.count += weight;
    by_count_.insert({e.count, it->second});
    return;
  }
  if (entries_.size() < capacity_) {
    size_t i = entries_.size();
    entries_.push_back(Entry{std::string(item), weight, 0});
    index_.emplace(entries_.back().item, i);
    by_count_.insert({weight, i});
    return;
  }
  // Replace the entry with the smallest count; its count becomes the new item's error.
  auto smallest = by_count_.begin();
  size_t i = smallest->second;
  Entry& e = entries_[i];
  by_count_.erase(smallest);
  index_.erase(e.item);
  e.error = e.count;
  e.count += weight;
  e.item = std::string(item);
  index_.emplace(e.item, i);
  by_count_.insert({e.count, i});
}

std::vector<TopK::Entry> TopK::Top(size_t k) const {
  std::vector<Entry> out = entries_;
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
    return a.count != b.count ? a.count > b.count : a.item < b.item;
  });
  if (out.size() > k) out.resize(k);
  return out;
}

}  // namespace probity::ingest
