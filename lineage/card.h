// Model cards: one JSON document per model (docs/formats/model-card.md, schema
// docs/formats/model-card.schema.json) whose fields cover Google Model Card Toolkit v0.0.2,
// SageMaker model cards and the CycloneDX 1.6 `modelCard`, bound to the model's SHA-256
// digest. A card starts from lineage (InitCardFromLineage), the owner edits it with a YAML
// file (EditCard), reviewers move it through draft → pending_review → approved → archived
// (ChangeCardStatus), and every version is a new `card` record in the store. Exports
// translate the card into each standard format.
//
//   PROBITY_ASSIGN_OR_RETURN(ModelCard card, InitCardFromLineage(store, model_id));
//   PROBITY_ASSIGN_OR_RETURN(card, EditCard(card, yaml_text, "card.yaml"));
//   card = NextCardVersion(std::move(card), "edit", signer.key_id(), clock.Now());
//   PROBITY_ASSIGN_OR_RETURN(nlohmann::ordered_json bom, ExportCycloneDx(card));
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/core/clock.h"
#include "audit/core/digest.h"
#include "audit/core/result.h"
#include "lineage/keys.h"
#include "lineage/record.h"
#include "lineage/store.h"

namespace probity::lineage {

// The value of the card document's "schema" field.
inline constexpr std::string_view kCardSchema = "probity.model-card/1";

// The largest owner YAML file ApplyCardYaml reads, and the largest card it builds.
inline constexpr size_t kMaxCardBytes = 1 << 20;

enum class CardStatus { kDraft, kPendingReview, kApproved, kArchived };

// "draft", "pending_review", "approved", "archived".
std::string_view CardStatusName(CardStatus status);
std::optional<CardStatus> ParseCardStatus(std::string_view name);

// A card document (a JSON object shaped as docs/formats/model-card.schema.json). Plain data.
struct ModelCard {
  nlohmann::json document = nlohmann::json::object();

  // The document's status (kDraft when absent or unknown).
  CardStatus status() const;
  // The document's card_version (0 before the first version is recorded).
  int64_t version() const;
};

// Starts a card for the model artifact `model_artifact_id` from what lineage knows: the
// model's digest, name and location; the parameters of the executions that output it (as
// hyperparameters); their dataset inputs (training data); the dataset inputs of executions
// that read the model (evaluation data); and the metrics artifacts those executions output
// (their "metrics" property, or their scalar properties, become metrics). Status draft,
// card_version 0. kNotFound when the id does not exist; kInvalidArgument when it is not an
// artifact of kind model; kFailedPrecondition when the model artifact has no digest.
Result<ModelCard> InitCardFromLineage(LineageStore& store, int64_t model_artifact_id);

// Applies the owner's YAML file (the card's own field names; docs/formats/model-card.md):
// objects merge key by key, lists and scalars replace, `null` removes a field. Fields Probity
// owns (schema, model.artifact, model.digest, model.name, model.uri, status, status_history,
// card_version) cannot be set. kInvalidArgument, located at `origin`:line:column, for
// malformed YAML, an unknown key, a wrong type or value, or a file over kMaxCardBytes.
Result<ModelCard> ApplyCardYaml(const ModelCard& card, std::string_view yaml,
                                std::string_view origin);

// Checks a whole card document: known fields only, types, enums, digests ("sha256:<hex>"),
// dates (YYYY-MM-DD), required fields, one of identifier/custom_text per license, confidence
// intervals with lower ≤ upper. kInvalidArgument naming the field path otherwise.
Status ValidateCard(const ModelCard& card);

// An owner's edit: ApplyCardYaml, then the card returns to draft (an edit voids a review or
// approval), then ValidateCard. kFailedPrecondition for an archived card.
Result<ModelCard> EditCard(const ModelCard& card, std::string_view yaml, std::string_view origin);

// Moves the card to `to`. Allowed: draft → pending_review, pending_review → approved,
// pending_review → draft, approved → archived, draft → archived. Moving to approved requires
// that `key_id` (the key that will sign the new version) differs from the key that recorded
// the version under review and from every key that recorded a content version (init or edit)
// in status_history. kFailedPrecondition, with the reason, otherwise.
Result<ModelCard> ChangeCardStatus(const ModelCard& card, CardStatus to, const std::string& key_id);

// The next version of `card`: card_version + 1 and a status_history entry {version, status,
// change, key_id, time}. `change` is "init", "edit" or "status".
ModelCard NextCardVersion(ModelCard card, std::string_view change, const std::string& key_id,
                          TimePoint time);

// SHA-256 of the document's canonical JSON (RFC 8785).
Result<Digest> CardDigest(const ModelCard& card);

// A card version as stored.
struct StoredCard {
  int64_t record_id = 0;
  int64_t version = 0;
  ModelCard card;
};
// The card record for `card` (model, model_digest, version, status, document, previous),
// with `envelope`: a DSSE envelope signed by `signer` over an in-toto Statement whose subject
// is the model's digest and whose predicate (https://probity.dev/attestation/model-card/v1)
// is {card, version, status}. The card is bound to the model bytes: swapping either breaks
// the signature (probity verify checks it, and that the signer is the key the card's
// status_history names for this version).
Result<Record> CardRecord(const ModelCard& card, std::optional<int64_t> previous,
                          const Signer& signer);
// Every stored version of the model's card, oldest first (empty when it has none).
Result<std::vector<StoredCard>> CardVersions(LineageStore& store, int64_t model_artifact_id);
// The latest version, or kNotFound ("model N has no card; run probity card init N").
Result<StoredCard> LatestCard(LineageStore& store, int64_t model_artifact_id);

// Google Model Card Toolkit model_card.json, schema v0.0.2.
Result<nlohmann::ordered_json> ExportMct(const ModelCard& card);
// SageMaker model card content (the draft-07 "SageMakerModelCardSchema"). kInvalidArgument
// when a field exceeds a SageMaker limit (e.g. 1024 characters for model_description).
Result<nlohmann::ordered_json> ExportSageMaker(const ModelCard& card);
// A CycloneDX 1.6 BOM: the model as a machine-learning-model component with its SHA-256 and
// modelCard, each dataset as a data component, serialNumber derived from CardDigest.
Result<nlohmann::ordered_json> ExportCycloneDx(const ModelCard& card);

}  // namespace probity::lineage
