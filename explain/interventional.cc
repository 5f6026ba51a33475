// Placeholder: being written (issue 6). Every entry point returns kUnimplemented.
#include "explain/interventional.h"

#include "audit/core/status.h"

namespace probity::explain {

Result<Attributions> InterventionalTreeShap(const ModelInfo&, const TreeEnsembleView&,
                                            const Players&, std::span<const double>, int64_t,
                                            std::span<const double>, int64_t,
                                            std::span<const double>,
                                            const InterventionalOptions&) {
  return UnimplementedError("not yet built");
}
}  // namespace probity::explain
