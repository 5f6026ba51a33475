// Placeholder: being written (issue 6). Every entry point returns kUnimplemented.
#include "explain/permutation.h"

#include "audit/core/status.h"

namespace probity::explain {

Result<PermutationImportance> PermutationImportanceOf(const Model&, const Players&,
                                                      const InputFrame&, const Column&,
                                                      const PermutationOptions&) {
  return UnimplementedError("not yet built");
}
}  // namespace probity::explain
