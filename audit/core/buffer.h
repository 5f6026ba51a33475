// Buffer<T> is a std::vector whose resize() leaves new trivially-constructible elements
// uninitialised, for arrays that are written in full right after they are sized (parsed
// column values, read buffers): it saves zeroing hundreds of megabytes per scan.
//
//   Buffer<double> values(rows);   // no memset
//   for (size_t r = 0; r < rows; ++r) values[r] = Parse(r);
#pragma once

#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace probity {

template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <typename U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}  // NOLINT: rebinding
  // Value-initialisation (the `T()` of resize) becomes default-initialisation.
  template <typename U>
  void construct(U* p) noexcept(noexcept(::new (static_cast<void*>(p)) U)) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

template <typename T>
using Buffer = std::vector<T, DefaultInitAllocator<T>>;

}  // namespace probity
