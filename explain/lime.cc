// Placeholder: being written (issue 6). Every entry point returns kUnimplemented.
#include "explain/lime.h"

#include "audit/core/status.h"

namespace probity::explain {

Result<LimeResult> Lime(const Model&, const Players&, const InputFrame&, const InputFrame&,
                        const LimeOptions&) {
  return UnimplementedError("not yet built");
}
}  // namespace probity::explain
