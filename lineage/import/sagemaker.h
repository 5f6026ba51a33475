// Importing Amazon SageMaker lineage: EventBridge state-change events (training job,
// transform job, endpoint, pipeline execution, pipeline step, model package, model card) and
// CloudTrail records of SageMaker API calls. Each input is checked whole before any record is
// added: a missing or mistyped required field is a kInvalidArgument naming its JSON pointer,
// line and column; an event of a kind Probity does not map is kUnimplemented. The mapping is
// in docs/formats/lineage-import.md.
//
//   PROBITY_ASSIGN_OR_RETURN(ImportSummary summary,
//                            ImportSageMakerEvents(text, "training.event.json", sink));
#pragma once

#include <string_view>

#include "audit/core/result.h"
#include "lineage/import/import_summary.h"
#include "lineage/record.h"

namespace probity::lineage {

// Imports EventBridge events (one JSON event, a JSON array of events, or JSON Lines) read
// from `file`. Every record's source is {format: "sagemaker-eventbridge", file_digest,
// original_id (the resource ARN), event_id, detail_type, line}. Errors of the sink are
// returned as they are.
Result<ImportSummary> ImportSageMakerEvents(std::string_view text, std::string_view file,
                                            RecordSink& sink);

// Imports CloudTrail records: a log file ({"Records": [...]}), one record, an array of
// records, or JSON Lines of records. Each record becomes an execution of the API call; the
// caller's userIdentity is kept in the source: {format: "cloudtrail", file_digest,
// original_id (eventID), request_id, user_identity, response_elements, line}.
Result<ImportSummary> ImportCloudTrail(std::string_view text, std::string_view file,
                                       RecordSink& sink);

}  // namespace probity::lineage
