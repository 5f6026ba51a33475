// Importing OpenLineage (spec 2-0-2) events as lineage records. Every event is first
// validated against the OpenLineage JSON Schemas embedded in the binary (the core schema and,
// for each facet whose key names a standard facet at that place, the facet's own schema);
// a file with any invalid event is rejected whole. Then a RunEvent becomes an execution
// (one per event, chained by `previous` per runId), its datasets artifacts with input and
// output events, its job a `job` context and its parent run a `pipeline_run` context.
// docs/formats/lineage-import.md gives the field-by-field mapping.
//
//   PROBITY_ASSIGN_OR_RETURN(ImportSummary summary,
//                            ImportOpenLineage(text, "events.jsonl", sink));
//
// FollowOpenLineage reads JSON Lines from a pipe as they arrive and commits batches.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/core/result.h"
#include "lineage/import/import_summary.h"
#include "lineage/import/json_schema.h"
#include "lineage/record.h"

namespace probity::lineage {

// The $id of the embedded core schema.
inline constexpr std::string_view kOpenLineageSchemaId =
    "https://openlineage.io/spec/2-0-2/OpenLineage.json";

// The embedded OpenLineage schemas (lineage/import/schemas/openlineage/, Apache-2.0).
class OpenLineageSchemas {
 public:
  // The process-wide instance, loaded on first use. kInternal if an embedded schema fails to
  // load (a build defect, never user input). Thread-safe.
  static Result<const OpenLineageSchemas*> Get();

  // Validates one event against the core schema, then every facet in run.facets,
  // job.facets, dataset facets and outputFacets whose key has a standard facet schema for
  // that place (e.g. "parent" in run.facets → ParentRunFacet.json), as the OpenLineage
  // proxy (proxy/fluentd) does with its default settings, which leave inputFacets to the
  // core schema. Facets marked `"_deleted": true` are not checked against their facet
  // schema; custom facet keys are checked only by the core schema (BaseFacet).
  // Returns the first violation; its path is relative to the event.
  //
  // Imports leave `format` as an annotation (`assert_formats` false, the draft 2020-12
  // default): OpenLineage's own Python client examples carry date-times without a UTC offset
  // and a date-only nominalTime. The importer then records a time as `started`/`ended` only
  // when it is RFC 3339. The exporter asserts formats on what it writes.
  std::optional<SchemaViolation> Validate(const nlohmann::json& event,
                                          bool assert_formats = false) const;

  const SchemaSet& schemas() const { return schemas_; }

  // The $ids of the facet schemas for `key` at `place` ("run", "job", "dataset", "input",
  // "output"); empty when the key is not a standard facet there.
  std::vector<std::string> FacetSchemaIds(std::string_view place, std::string_view key) const;

 private:
  OpenLineageSchemas() = default;
  SchemaSet schemas_;
  // (place, facet key) → facet schema $ids.
  std::map<std::pair<std::string, std::string>, std::vector<std::string>, std::less<>> facets_;
};

// Imports the events in `text` (a JSON event, a JSON array of events, or JSON Lines) read
// from `file` (named in messages and in each record's source). All events are parsed and
// validated before any record is added. kInvalidArgument, located (file, line, column of the
// offending value), for malformed JSON or an event that breaks the schema: the message names
// the JSON pointer in the event and the schema rule (e.g. `required`). Errors of the sink
// are returned as they are. Thread-compatible.
Result<ImportSummary> ImportOpenLineage(std::string_view text, std::string_view file,
                                        RecordSink& sink);

// Where follow mode commits: one batch at a time. The store's implementation signs a
// checkpoint in Commit.
class RecordBatches {
 public:
  virtual ~RecordBatches() = default;
  // Starts a batch; the returned sink is valid until Commit.
  virtual Result<RecordSink*> Begin() = 0;
  // Makes the batch begun last durable.
  virtual Status Commit() = 0;
};

struct FollowOptions {
  std::string name = "-";     // the stream's name, in messages and in each record's source
  size_t max_records = 1000;  // a batch is committed once it holds at least this many records
  // … or this long after its first record was added, even if the stream has gone quiet.
  std::chrono::milliseconds max_delay{1000};
  // Each rejected line is appended here verbatim (so it can be fixed and replayed); empty
  // for none. Opened (created, mode 0644) on the first rejected line.
  std::string rejects_path;
  // Called for each rejected line with the reason, located at its line number.
  std::function<void(const Status&)> on_reject;
  size_t max_line_bytes = size_t{16} << 20;  // longer lines are rejected
};

struct FollowSummary {
  int64_t lines = 0;  // lines read, blank ones included
  int64_t events = 0;
  int64_t records = 0;
  int64_t rejected = 0;
  int64_t batches = 0;
};

// Reads OpenLineage events as JSON Lines from `fd` until end of file, validating each line
// and committing the records of valid lines in batches (FollowOptions). A line that is not
// valid JSON or breaks the schema is rejected: reported through on_reject with its line
// number, appended to the rejects file, and counted; it never stops the stream. Every
// record carries source {format, stream, line, event_digest (SHA-256 of the line)}.
// Returns kIoError if reading `fd` or writing the rejects file fails, and the errors of
// `batches` as they are; records committed before an error stay committed.
Result<FollowSummary> FollowOpenLineage(int fd, RecordBatches& batches,
                                        const FollowOptions& options);

}  // namespace probity::lineage
