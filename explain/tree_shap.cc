// Placeholder: being written (issue 6). Every entry point returns kUnimplemented.
#include "explain/tree_shap.h"

#include "audit/core/status.h"

namespace probity::explain {

Result<Attributions> TreeShap(const ModelInfo&, const TreeEnsembleView&, const Players&,
                              std::span<const double>, int64_t, const TreeShapOptions&) {
  return UnimplementedError("not yet built");
}
Result<Interactions> TreeShapInteractions(const ModelInfo&, const TreeEnsembleView&,
                                          const Players&, std::span<const double>, int64_t,
                                          const TreeShapOptions&) {
  return UnimplementedError("not yet built");
}
Buffer<double> ViewMargins(const TreeEnsembleView&, size_t, std::span<const double>, int64_t) {
  return {};
}
}  // namespace probity::explain
