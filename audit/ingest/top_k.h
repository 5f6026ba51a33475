// TopK tracks the most frequent items of a weighted stream in bounded space with the
// Space-Saving algorithm (Metwally, Agrawal and El Abbadi, "Efficient Computation of Frequent
// and Top-k Elements in Data Streams", ICDT 2005): every reported count is an upper bound
// whose overestimate is at most the reported error, and any item more frequent than
// total/capacity is guaranteed to be kept.
//
//   TopK top(1000);
//   top.Add("Male", 20);
//   for (const TopK::Entry& e : top.Top(10)) Print(e.item, e.count, e.error);
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace probity::ingest {

class TopK {
 public:
  struct Entry {
    std::string item;
    int64_t count = 0;  // upper bound of the true count
    int64_t error = 0;  // count − error is a lower bound
  };

  explicit TopK(size_t capacity) : capacity_(capacity) {}

  void Add(std::string_view item, int64_t weight);
  // The `k` largest entries by count (ties broken by item), largest first.
  std::vector<Entry> Top(size_t k) const;

 private:
  size_t capacity_;
  std::vector<Entry> entries_;
  std::unordered_map<std::string, size_t> index_;
  std::set<std::pair<int64_t, size_t>> by_count_;  // (count, entry index)
};

}  // namespace probity::ingest
