// Placeholder: being written (issue 6). Every entry point returns kUnimplemented.
#include "explain/shapley.h"

#include "audit/core/status.h"

namespace probity::explain {

Result<Attributions> ExactShapley(const Model&, const Players&, const InputFrame&,
                                  const Background&, const ExactShapleyOptions&) {
  return UnimplementedError("not yet built");
}
Result<Attributions> KernelShap(const Model&, const Players&, const InputFrame&,
                                const Background&, const KernelShapOptions&) {
  return UnimplementedError("not yet built");
}
Result<Attributions> LinearShap(const ModelInfo&, const LinearView&, const Players&,
                                std::span<const double>, int64_t, std::span<const double>,
                                int64_t, std::span<const double>) {
  return UnimplementedError("not yet built");
}
}  // namespace probity::explain
