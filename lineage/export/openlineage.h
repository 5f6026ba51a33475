// Exporting lineage records as OpenLineage (spec 2-0-2) RunEvents: one event per execution
// record, its inputs and outputs from its event records, its parent run from a pipeline_run
// context it is associated with. Every event written is validated against the embedded
// OpenLineage schemas before it is returned (with formats asserted, except for runs that
// were imported from OpenLineage: they keep the facets they came with, which the importer
// accepted with formats as annotations).
//
//   PROBITY_ASSIGN_OR_RETURN(std::vector<nlohmann::json> events,
//                            ExportOpenLineage(store_records));
//   for (const auto& event : events) out << event.dump() << '\n';  // JSON Lines
//
// Run ids: an execution imported from OpenLineage keeps its original runId. Any other
// execution gets a name-based UUID (RFC 9562 §5.8, version 8, SHA-256 as in its Appendix
// B.2): the first 16 bytes of SHA-256(namespace UUID bytes ‖ "execution:<id>"), with the
// version and variant bits set, where <id> is the id of the first execution of its
// `previous` chain — so every state of one run shares a runId, and re-exporting the same
// store gives the same ids. Parent runs of pipeline_run contexts use "context:<id>".
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "audit/core/result.h"

namespace probity::lineage {

// The default namespace UUID for derived run ids: 1ce86de9-3498-4290-9fba-aba615c77c8e.
inline constexpr std::array<uint8_t, 16> kProbityRunIdNamespace = {
    0x1c, 0xe8, 0x6d, 0xe9, 0x34, 0x98, 0x42, 0x90, 0x9f, 0xba, 0xab, 0xa6, 0x15, 0xc7, 0x7c, 0x8e};

struct OpenLineageExportOptions {
  std::string job_namespace = "probity";      // for executions not imported from OpenLineage
  std::string dataset_namespace = "probity";  // for artifacts named only by their digest
  // A workspace may pass its own, so that run ids from two workspaces never collide.
  std::array<uint8_t, 16> run_id_namespace = kProbityRunIdNamespace;
};

// The name-based UUID described above, in 8-4-4-4-12 lower-case hex.
std::string DeriveRunId(const std::array<uint8_t, 16>& name_space, std::string_view name);

// The producer URI written in every event and facet: "https://probity.dev/probity/<version>".
std::string ProbityProducer();

// Converts `records` (as the store returns them: each an object with "record" (the kind
// name), "id", "time" and the fields of lineage/record.h) into one RunEvent per execution
// record, in id order. kInvalidArgument naming the record id if a record lacks what an event
// needs (an execution without a name, an event naming an unknown artifact, no RFC 3339 time
// at all) or if the event built from it does not validate.
Result<std::vector<nlohmann::json>> ExportOpenLineage(const std::vector<nlohmann::json>& records,
                                                      const OpenLineageExportOptions& options = {});

}  // namespace probity::lineage
