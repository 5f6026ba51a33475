// Stable names for enumerators (used in files and JSON): a constexpr table of
// {value, name} pairs and the two lookups every such table needs.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace probity::internal {

template <typename E, size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

// The name of `value`, or `fallback` if the table lacks it.
template <typename E, size_t N>
constexpr std::string_view NameOf(const NameTable<E, N>& table, E value,
                                  std::string_view fallback = "unknown") {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return fallback;
}

// The value named `name`, or nullopt.
template <typename E, size_t N>
constexpr std::optional<E> ValueOf(const NameTable<E, N>& table, std::string_view name) {
  for (const auto& [v, n] : table) {
    if (n == name) return v;
  }
  return std::nullopt;
}

}  // namespace probity::internal
