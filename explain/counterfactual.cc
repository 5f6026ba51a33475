// Placeholder: being written (issue 6). Every entry point returns kUnimplemented.
#include "explain/counterfactual.h"

#include "audit/core/status.h"

namespace probity::explain {

Result<CounterfactualResult> Counterfactuals(const Model&, const InputFrame&,
                                             const InputFrame&, const CounterfactualOptions&) {
  return UnimplementedError("not yet built");
}
}  // namespace probity::explain
