// Result<T> holds either a value or the Status explaining why there is none. Its interface
// follows std::expected (has_value(), value(), error()) so it can be replaced by it later.
//
//   Result<Table> table = ReadTable(fs, "german.csv", options);
//   if (!table.has_value()) return table.error();
//   PROBITY_ASSIGN_OR_RETURN(Table t, ReadTable(fs, "german.csv", options));
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

#include "audit/core/check.h"
#include "audit/core/status.h"

namespace probity {

template <typename T>
class [[nodiscard]] Result {
 public:
  static_assert(!std::is_same_v<std::decay_t<T>, Status>, "Result<Status> is meaningless");

  Result(const T& value) : storage_(value) {}            // NOLINT: implicit by design
  Result(T&& value) : storage_(std::move(value)) {}      // NOLINT
  Result(Status status) : storage_(std::move(status)) {  // NOLINT
    PROBITY_CHECK(!std::get<Status>(storage_).ok());
  }
  template <typename U>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
           !std::is_same_v<std::decay_t<U>, Status>) Result(U&& value)
      : storage_(T(std::forward<U>(value))) {}  // NOLINT

  bool has_value() const { return std::holds_alternative<T>(storage_); }
  bool ok() const { return has_value(); }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    PROBITY_CHECK(has_value());
    return std::get<T>(storage_);
  }
  const T& value() const& {
    PROBITY_CHECK(has_value());
    return std::get<T>(storage_);
  }
  T&& value() && {
    PROBITY_CHECK(has_value());
    return std::get<T>(std::move(storage_));
  }
  const Status& error() const& {
    PROBITY_CHECK(!has_value());
    return std::get<Status>(storage_);
  }
  Status error() && {
    PROBITY_CHECK(!has_value());
    return std::get<Status>(std::move(storage_));
  }
  // The status: OK when a value is present.
  Status status() const { return has_value() ? OkStatus() : std::get<Status>(storage_); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> storage_;
};

}  // namespace probity

// Evaluates `rexpr` (a Result<T>); on error returns its Status, otherwise moves the value
// into `lhs`, which may be a declaration: PROBITY_ASSIGN_OR_RETURN(auto x, F());
#define PROBITY_ASSIGN_OR_RETURN(lhs, rexpr) \
  PROBITY_ASSIGN_OR_RETURN_IMPL(PROBITY_STATUS_CONCAT(probity_result_, __LINE__), lhs, rexpr)
#define PROBITY_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                  \
  if (!tmp.has_value()) return std::move(tmp).error(); \
  lhs = std::move(tmp).value()
