// What an import added: how many source documents (events, records, files) it read and how
// many lineage records it added to the sink.
#pragma once

#include <cstdint>

namespace probity::lineage {

struct ImportSummary {
  int64_t documents = 0;
  int64_t records = 0;
};

}  // namespace probity::lineage
