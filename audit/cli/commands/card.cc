// `probity card init|set|show|export|approve`: model cards (lineage/card.h). Every change is a
// new `card` record bound to the model's digest, committed with a signed checkpoint.
#include "lineage/card.h"

#include <iostream>

#include "audit/cli/command.h"
#include "audit/cli/recording.h"
#include "audit/core/file_system.h"
#include "audit/core/json_output.h"
#include "lineage/workspace.h"

namespace probity::cli {
namespace {

struct CardArgs {
  int64_t model = -1;
  std::string file;
  int64_t version = 0;  // 0: the latest
  std::string format;
  std::string out;
  std::string status;
  std::string key;
};

// Adds one card version in the session's batch and commits it; prints what was recorded.
Result<Verdict> RecordCardVersion(const GlobalOptions& global, RecordingSession& session,
                                  lineage::ModelCard card, std::string_view change,
                                  std::optional<int64_t> previous) {
  card = lineage::NextCardVersion(std::move(card), change, session.signer->key_id(),
                                  SystemClock().Now());
  PROBITY_RETURN_IF_ERROR(lineage::ValidateCard(card));
  PROBITY_ASSIGN_OR_RETURN(lineage::Record record,
                           lineage::CardRecord(card, previous, *session.signer));
  PROBITY_ASSIGN_OR_RETURN(int64_t id, session.Add(std::move(record)));
  PROBITY_ASSIGN_OR_RETURN(auto checkpoint, session.Commit());
  const std::string status(lineage::CardStatusName(card.status()));
  const int64_t model = card.document["model"]["artifact"].get<int64_t>();
  if (global.json) {
    nlohmann::ordered_json doc = MachineDocument("probity.card.record/1");
    doc["model"] = model;
    doc["record_id"] = id;
    doc["version"] = card.version();
    doc["status"] = status;
    doc["key_id"] = session.signer->key_id();
    doc["tree_size"] = checkpoint ? checkpoint->size : 0;
    std::cout << DumpJson(doc);
  } else if (!global.quiet) {
    std::cout << "Recorded card version " << card.version() << " (" << status << ") of model "
              << model << " as record " << id << ", signed by key "
              << session.signer->key_id().substr(0, 16) << "…\n";
  }
  return Verdict::kPass;
}

Result<lineage::StoredCard> CardAt(lineage::LineageStore& store, int64_t model, int64_t version) {
  if (version <= 0) return lineage::LatestCard(store, model);
  PROBITY_ASSIGN_OR_RETURN(std::vector<lineage::StoredCard> versions,
                           lineage::CardVersions(store, model));
  for (lineage::StoredCard& c : versions) {
    if (c.version == version) return std::move(c);
  }
  return NotFoundError("model " + std::to_string(model) + " has no card version " +
                       std::to_string(version))
      .Expecting(versions.empty() ? "a card (probity card init)"
                                  : "a version from 1 to " + std::to_string(versions.size()));
}

}  // namespace

Result<Verdict> ExportModelCard(const GlobalOptions& global, int64_t model, int64_t version,
                                const std::string& format, const std::string& out,
                                bool card_optional) {
  PROBITY_ASSIGN_OR_RETURN(lineage::Workspace ws, lineage::FindWorkspace(global.workspace));
  PROBITY_ASSIGN_OR_RETURN(auto store, ws.OpenStore(&SystemClock()));
  Result<lineage::StoredCard> stored = CardAt(*store, model, version);
  lineage::ModelCard card;
  if (stored.has_value()) {
    card = std::move(stored->card);
  } else if (card_optional && version <= 0 && stored.error().code() == StatusCode::kNotFound) {
    // No card yet: export what lineage alone says about the model.
    PROBITY_ASSIGN_OR_RETURN(card, lineage::InitCardFromLineage(*store, model));
  } else {
    return stored.error();
  }
  Result<nlohmann::ordered_json> doc = format == "mct"         ? lineage::ExportMct(card)
                                       : format == "sagemaker" ? lineage::ExportSageMaker(card)
                                                               : lineage::ExportCycloneDx(card);
  if (!doc.has_value()) return doc.error();
  const std::string text = DumpJson(*doc);
  if (out.empty()) {
    std::cout << text << std::flush;
  } else {
    PROBITY_RETURN_IF_ERROR(LocalFileSystem().WriteFileAtomically(out, text));
  }
  return Verdict::kPass;
}

void AddCardCommands(CLI::App& app, const GlobalOptions& global, CommandFn* selected) {
  CLI::App* card = app.add_subcommand(
      "card", "Write, review and export model cards bound to the model's digest");
  card->require_subcommand(1);
  card->footer(
      "Examples:\n"
      "  probity card init 4                    start a card for model artifact 4\n"
      "  probity card set 4 card.yaml           record the owner's edits\n"
      "  probity card approve 4 --status approved --key reviewer\n"
      "  probity card export 4 --format cyclonedx --out bom.json\n"
      "Format and field map: docs/formats/model-card.md");
  auto args = std::make_shared<CardArgs>();
  auto model_option = [&args](CLI::App* cmd) {
    cmd->add_option("MODEL_ID", args->model, "The model artifact's record id")
        ->required()
        ->check(CLI::NonNegativeNumber);
  };

  CLI::App* init =
      card->add_subcommand("init", "Start a model card (version 1, draft) from lineage");
  model_option(init);
  init->add_option("--key", args->key, "Sign with this workspace key (default: the workspace's)");
  init->footer(
      "Examples:\n"
      "  probity lineage add artifact model.json --kind model     (prints the id, e.g. 4)\n"
      "  probity card init 4\n"
      "Fills the model digest, training and evaluation data, hyperparameters and metrics from\n"
      "lineage. Format: docs/formats/model-card.md.\n"
      "Exit codes: 0 recorded, 3 not a model artifact, 4 no workspace or key, or a card exists.");
  init->callback([args, &global, selected] {
    *selected = [args, &global]() -> Result<Verdict> {
      PROBITY_ASSIGN_OR_RETURN(RecordingSession session, OpenRecordingSession(global, args->key));
      PROBITY_RETURN_IF_ERROR(session.Batch().status());  // read and write under the lock
      PROBITY_ASSIGN_OR_RETURN(std::vector<lineage::StoredCard> versions,
                               lineage::CardVersions(*session.store, args->model));
      if (!versions.empty()) {
        return FailedPreconditionError("model " + std::to_string(args->model) +
                                       " already has a card (version " +
                                       std::to_string(versions.back().version) + ")")
            .Expecting("probity card set " + std::to_string(args->model) + " FILE.yaml");
      }
      PROBITY_ASSIGN_OR_RETURN(lineage::ModelCard c,
                               lineage::InitCardFromLineage(*session.store, args->model));
      return RecordCardVersion(global, session, std::move(c), "init", std::nullopt);
    };
  });

  CLI::App* set = card->add_subcommand("set", "Record a new card version with a YAML file applied");
  set->alias("edit");
  model_option(set);
  set->add_option("FILE", args->file, "The owner's card file (YAML)")->required();
  set->add_option("--key", args->key, "Sign with this workspace key (default: the workspace's)");
  set->footer(
      "Examples:\n"
      "  probity card set 4 card.yaml\n"
      "The file uses the card's field names (docs/formats/model-card.md): objects merge, lists\n"
      "replace, null removes. An edit returns the card to draft.\n"
      "Exit codes: 0 recorded, 3 malformed file (file:line:column) or no card, 4 archived card.");
  set->callback([args, &global, selected] {
    *selected = [args, &global]() -> Result<Verdict> {
      PROBITY_ASSIGN_OR_RETURN(std::string text, LocalFileSystem().ReadSmallFile(
                                                     args->file, int64_t{lineage::kMaxCardBytes}));
      PROBITY_ASSIGN_OR_RETURN(RecordingSession session, OpenRecordingSession(global, args->key));
      PROBITY_RETURN_IF_ERROR(session.Batch().status());
      PROBITY_ASSIGN_OR_RETURN(lineage::StoredCard latest,
                               lineage::LatestCard(*session.store, args->model));
      PROBITY_ASSIGN_OR_RETURN(lineage::ModelCard c,
                               lineage::EditCard(latest.card, text, args->file));
      return RecordCardVersion(global, session, std::move(c), "edit", latest.record_id);
    };
  });

  CLI::App* show = card->add_subcommand("show", "Print a card version");
  model_option(show);
  show->add_option("--version", args->version, "Card version (default: the latest)")
      ->check(CLI::PositiveNumber);
  show->footer("Examples:\n  probity card show 4\n  probity card show 4 --version 2 --json");
  show->callback([args, &global, selected] {
    *selected = [args, &global]() -> Result<Verdict> {
      PROBITY_ASSIGN_OR_RETURN(lineage::Workspace ws, lineage::FindWorkspace(global.workspace));
      PROBITY_ASSIGN_OR_RETURN(auto store, ws.OpenStore(&SystemClock()));
      PROBITY_ASSIGN_OR_RETURN(lineage::StoredCard c, CardAt(*store, args->model, args->version));
      if (global.json) {
        nlohmann::ordered_json doc = MachineDocument("probity.card.show/1");
        doc["model"] = args->model;
        doc["record_id"] = c.record_id;
        doc["version"] = c.version;
        doc["card"] = nlohmann::ordered_json::parse(c.card.document.dump());
        std::cout << DumpJson(doc);
      } else {
        std::cout << "Model card of model " << args->model << ", version " << c.version << " ("
                  << lineage::CardStatusName(c.card.status()) << "), record " << c.record_id << "\n"
                  << c.card.document.dump(2) << "\n";
      }
      return Verdict::kPass;
    };
  });

  CLI::App* export_cmd =
      card->add_subcommand("export", "Export a card as MCT, SageMaker or CycloneDX");
  model_option(export_cmd);
  export_cmd->add_option("--format", args->format, "mct, sagemaker or cyclonedx")
      ->required()
      ->check(CLI::IsMember({"mct", "sagemaker", "cyclonedx"}));
  export_cmd->add_option("--out", args->out, "Write to this file instead of stdout");
  export_cmd->add_option("--version", args->version, "Card version (default: the latest)")
      ->check(CLI::PositiveNumber);
  export_cmd->footer(
      "Examples:\n"
      "  probity card export 4 --format mct --out model_card.json\n"
      "  probity card export 4 --format cyclonedx > bom.json\n"
      "Formats: Model Card Toolkit schema v0.0.2, SageMaker model card content, CycloneDX 1.6\n"
      "ML-BOM (field map: docs/formats/model-card.md).\n"
      "Exit codes: 0 written, 3 no card or a field over a SageMaker limit, 4 unwritable --out.");
  export_cmd->callback([args, &global, selected] {
    *selected = [args, &global]() -> Result<Verdict> {
      return ExportModelCard(global, args->model, args->version, args->format, args->out, false);
    };
  });

  CLI::App* approve =
      card->add_subcommand("approve", "Record a review step: a signed status change");
  model_option(approve);
  approve->add_option("--status", args->status, "pending_review, approved, archived or draft")
      ->required()
      ->check(CLI::IsMember({"pending_review", "approved", "archived", "draft"}));
  approve->add_option("--key", args->key,
                      "Sign with this workspace key (default: the workspace's)");
  approve->footer(
      "Examples:\n"
      "  probity card approve 4 --status pending_review\n"
      "  probity key generate --name reviewer\n"
      "  probity card approve 4 --status approved --key reviewer\n"
      "Moves: draft -> pending_review -> approved -> archived; draft -> archived;\n"
      "pending_review -> draft. Approval needs a key that did not write or submit the card.\n"
      "Exit codes: 0 recorded, 3 no card, 4 not allowed (same key, wrong status) or no key.");
  approve->callback([args, &global, selected] {
    *selected = [args, &global]() -> Result<Verdict> {
      PROBITY_ASSIGN_OR_RETURN(RecordingSession session, OpenRecordingSession(global, args->key));
      PROBITY_RETURN_IF_ERROR(session.Batch().status());
      PROBITY_ASSIGN_OR_RETURN(lineage::StoredCard latest,
                               lineage::LatestCard(*session.store, args->model));
      PROBITY_ASSIGN_OR_RETURN(
          lineage::ModelCard c,
          lineage::ChangeCardStatus(latest.card, *lineage::ParseCardStatus(args->status),
                                    session.signer->key_id()));
      return RecordCardVersion(global, session, std::move(c), "status", latest.record_id);
    };
  });
}

}  // namespace probity::cli
