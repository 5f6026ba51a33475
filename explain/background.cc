// Placeholder: being written (issue 6). Every entry point returns kUnimplemented.
#include "explain/background.h"

#include "audit/core/status.h"

namespace probity::explain {

Result<Background> SummarizeBackground(const InputFrame&, const BackgroundOptions&) {
  return UnimplementedError("not yet built");
}
}  // namespace probity::explain
