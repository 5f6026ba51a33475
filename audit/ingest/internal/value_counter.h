// Exact counts of 64-bit keys (a double's bits) in an open-addressing table, optionally with
// a cap: once more than `cap` distinct keys arrive, counting stops and the counter reports
// overflow. Used for exact quantiles and distinct counts of low-cardinality columns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace probity::ingest::internal {

class ValueCounter {
 public:
  explicit ValueCounter(size_t cap = SIZE_MAX) : cap_(cap) {}

  bool overflowed() const { return overflowed_; }
  size_t size() const { return size_; }

  void Add(uint64_t key, int64_t n = 1) {
    if (overflowed_) return;
    if (slots_.empty()) Rehash(64);
    size_t mask = slots_.size() - 1;
    size_t i = Mix(key) & mask;
    while (true) {
      Slot& s = slots_[i];
      if (s.count == 0) {
        if (size_ + 1 > cap_) {
          Overflow();
          return;
        }
        s.key = key;
        s.count = n;
        ++size_;
        if (size_ * 2 > slots_.size()) Rehash(slots_.size() * 2);
        return;
      }
      if (s.key == key) {
        s.count += n;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  // Sizes the table for `n` distinct keys without rehashing.
  void Reserve(size_t n) {
    size_t capacity = 64;
    while (capacity < 2 * n) capacity *= 2;
    if (capacity > slots_.size()) Rehash(capacity);
  }

  void Merge(const ValueCounter& other) {
    if (overflowed_) return;
    if (other.overflowed_) {
      Overflow();
      return;
    }
    for (const Slot& s : other.slots_) {
      if (s.count != 0) Add(s.key, s.count);
    }
  }

  // (key, count) pairs in unspecified order.
  std::vector<std::pair<uint64_t, int64_t>> Entries() const {
    std::vector<std::pair<uint64_t, int64_t>> out;
    out.reserve(size_);
    for (const Slot& s : slots_) {
      if (s.count != 0) out.emplace_back(s.key, s.count);
    }
    return out;
  }

 private:
  struct Slot {
    uint64_t key = 0;
    int64_t count = 0;  // 0 marks an empty slot
  };
  static uint64_t Mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
  }
  void Overflow() {
    overflowed_ = true;
    slots_.clear();
    slots_.shrink_to_fit();
    size_ = 0;
  }
  void Rehash(size_t capacity) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    size_ = 0;
    for (const Slot& s : old) {
      if (s.count == 0) continue;
      size_t i = Mix(s.key) & (capacity - 1);
      while (slots_[i].count != 0) i = (i + 1) & (capacity - 1);
      slots_[i] = s;
      ++size_;
    }
  }

  size_t cap_;
  std::vector<Slot> slots_;
  size_t size_ = 0;
  bool overflowed_ = false;
};

}  // namespace probity::ingest::internal
