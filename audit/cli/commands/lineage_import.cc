// `probity lineage import openlineage|sagemaker|cloudtrail|mlflow FILE…`: records lineage
// that other systems observed, marked as imported (each record's `source`), logged and signed
// like Probity's own. A file that fails its schema is rejected whole: nothing of it is
// recorded. `--follow` reads OpenLineage JSON Lines from a stream as they arrive.
#include <fcntl.h>
#include <unistd.h>

#include <iostream>

#include "audit/cli/command.h"
#include "audit/cli/recording.h"
#include "audit/core/file_system.h"
#include "lineage/import/mlflow.h"
#include "lineage/import/openlineage.h"
#include "lineage/import/sagemaker.h"

namespace probity::cli {
namespace {

// Input files are read whole (each is validated completely before anything is recorded);
// larger inputs belong in --follow mode, which streams.
constexpr int64_t kMaxImportBytes = int64_t{256} << 20;

struct ImportArgs {
  std::vector<std::string> files;
  bool follow = false;
  std::string rejects;
  size_t batch_records = 1000;
  int64_t max_delay_ms = 1000;
};

Result<std::string> ReadImportFile(const std::string& path) {
  PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> in, LocalFileSystem().OpenForRead(path));
  if (in->size() > kMaxImportBytes) {
    return InvalidArgumentError("the file is " + std::to_string(in->size()) + " bytes")
        .At({path})
        .Expecting("at most 256 MiB per file (stream larger OpenLineage inputs with --follow)");
  }
  std::string text;
  std::vector<char> buffer(1 << 16);
  while (true) {
    PROBITY_ASSIGN_OR_RETURN(size_t n, in->Read(buffer));
    if (n == 0) break;
    text.append(buffer.data(), n);
  }
  return text;
}

using Importer = Result<lineage::ImportSummary> (*)(std::string_view, std::string_view,
                                                    lineage::RecordSink&);

// Write batches of the workspace's store, each committed with a signed checkpoint.
class StoreBatches final : public lineage::RecordBatches {
 public:
  explicit StoreBatches(RecordingSession& session) : session_(session) {}
  Result<lineage::RecordSink*> Begin() override {
    PROBITY_ASSIGN_OR_RETURN(lineage::LineageStore::Batch * batch, session_.Batch());
    return static_cast<lineage::RecordSink*>(batch);
  }
  Status Commit() override { return session_.Commit().status(); }

 private:
  RecordingSession& session_;
};

void AddImporter(CLI::App* import_cmd, const std::string& name, const std::string& what,
                 Importer importer, const GlobalOptions& global, CommandFn* selected) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* cmd = import_cmd->add_subcommand(name, what);
  cmd->add_option("FILE", args->files, "Input files ('-' for stdin with --follow)")->required();
  const bool streaming = name == "openlineage";
  if (streaming) {
    CLI::Option* follow = cmd->add_flag("--follow", args->follow,
                  "Read JSON Lines from FILE (or '-' = stdin) as they arrive, committing a signed "
                  "batch every --batch-records records or --max-delay-ms");
    cmd->add_option("--rejects", args->rejects,
                    "With --follow: append malformed or invalid lines here (default: FILE.rejects, "
                    "or probity-rejects.jsonl for stdin)")
        ->needs(follow);
    cmd->add_option("--batch-records", args->batch_records, "With --follow: records per batch")
        ->check(CLI::Range(size_t{1}, size_t{1} << 20))
        ->needs(follow);
    cmd->add_option("--max-delay-ms", args->max_delay_ms,
                    "With --follow: commit a batch at most this long after its first record")
        ->check(CLI::Range(int64_t{1}, int64_t{3600000}))
        ->needs(follow);
  }
  cmd->footer("Examples:\n  probity lineage import " + name + " " +
              (name == "mlflow" ? "model/MLmodel" : "events.json") +
              (streaming ? "\n  kafka-console-consumer … | probity lineage import openlineage "
                           "--follow -"
                         : "") +
              "\nA file that fails validation is rejected whole (exit 3, with the failing path "
              "and rule)\nand nothing of it is recorded. Mapping: docs/formats/lineage-import.md.");
  cmd->callback([args, name, importer, &global, selected] {
    *selected = [args, name, importer, &global]() -> Result<Verdict> {
      PROBITY_ASSIGN_OR_RETURN(RecordingSession session, OpenRecordingSession(global));
      if (args->follow) {
        if (args->files.size() != 1) {
          return InvalidArgumentError("--follow reads one stream").Expecting("one FILE or '-'");
        }
        const std::string& file = args->files[0];
        int fd = STDIN_FILENO;
        if (file != "-") {
          fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
          if (fd < 0) return NotFoundError("cannot open the stream").At({file});
        }
        lineage::FollowOptions options;
        options.name = file;
        options.max_records = args->batch_records;
        options.max_delay = std::chrono::milliseconds(args->max_delay_ms);
        options.rejects_path = !args->rejects.empty() ? args->rejects
                               : file == "-"          ? "probity-rejects.jsonl"
                                                      : file + ".rejects";
        options.on_reject = [&global](const Status& s) {
          Warn(global, "rejected: " + s.ToString());
        };
        StoreBatches batches(session);
        Result<lineage::FollowSummary> summary = lineage::FollowOpenLineage(fd, batches, options);
        if (fd != STDIN_FILENO) ::close(fd);
        if (!summary.ok()) return summary.status();
        if (!global.quiet) {
          std::cerr << "probity: followed " << summary->lines << " lines: " << summary->events
                    << " events, " << summary->records << " records in " << summary->batches
                    << " signed batches, " << summary->rejected << " rejected"
                    << (summary->rejected > 0 ? " (see " + options.rejects_path + ")" : "")
                    << "\n";
        }
        return summary->rejected > 0 ? Verdict::kFail : Verdict::kPass;
      }
      int64_t documents = 0, records = 0;
      for (const std::string& file : args->files) {
        PROBITY_ASSIGN_OR_RETURN(std::string text, ReadImportFile(file));
        PROBITY_ASSIGN_OR_RETURN(lineage::LineageStore::Batch * batch, session.Batch());
        PROBITY_ASSIGN_OR_RETURN(lineage::ImportSummary summary, importer(text, file, *batch));
        documents += summary.documents;
        records += summary.records;
      }
      // All files, or none: one batch, one signed checkpoint.
      PROBITY_ASSIGN_OR_RETURN(auto checkpoint, session.Commit());
      if (!global.quiet) {
        std::cerr << "probity: imported " << documents << " " << name << " document(s) as "
                  << records << " records; log size " << (checkpoint ? checkpoint->size : 0)
                  << "\n";
      }
      return Verdict::kPass;
    };
  });
}

}  // namespace

void AddLineageImportCommand(CLI::App* lineage_cmd, const GlobalOptions& global,
                             CommandFn* selected) {
  CLI::App* import_cmd = lineage_cmd->add_subcommand(
      "import", "Record lineage observed by other systems (marked as imported)");
  import_cmd->require_subcommand(1);
  AddImporter(import_cmd, "openlineage", "OpenLineage RunEvents (JSON, JSON array, JSON Lines)",
              &lineage::ImportOpenLineage, global, selected);
  AddImporter(import_cmd, "sagemaker", "Amazon SageMaker EventBridge state-change events",
              &lineage::ImportSageMakerEvents, global, selected);
  AddImporter(import_cmd, "cloudtrail", "AWS CloudTrail records of SageMaker API calls",
              &lineage::ImportCloudTrail, global, selected);
  AddImporter(import_cmd, "mlflow", "An MLflow MLmodel file", &lineage::ImportMlflowModel,
              global, selected);
}

}  // namespace probity::cli
