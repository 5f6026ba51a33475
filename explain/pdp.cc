// Placeholder: being written (issue 6). Every entry point returns kUnimplemented.
#include "explain/pdp.h"

#include "audit/core/status.h"

namespace probity::explain {

Result<std::vector<PdpCurve>> PartialDependence(const Model&, const InputFrame&,
                                                const PdpOptions&) {
  return UnimplementedError("not yet built");
}
}  // namespace probity::explain
