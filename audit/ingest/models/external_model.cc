#include "audit/ingest/models/external_model.h"

#include <mutex>
#include <utility>

#include "audit/ingest/csv_writer.h"
#include "audit/ingest/models/feature_binding.h"
#include "audit/ingest/models/internal/child_process.h"
#include "audit/ingest/models/internal/external_answer.h"

namespace probity::models {
namespace {

using internal::AnswerLayout;
using internal::AnswerReader;
using internal::ChildProcess;
using internal::ExchangeEnd;
using internal::ExchangeResult;

void AppendPredictions(Predictions part, Predictions* all) {
  all->rows += part.rows;
  all->values.insert(all->values.end(), part.values.begin(), part.values.end());
  all->probabilities.insert(all->probabilities.end(), part.probabilities.begin(),
                            part.probabilities.end());
  all->labels.insert(all->labels.end(), part.labels.begin(), part.labels.end());
}

class ExternalModel : public Model {
 public:
  ExternalModel(ExternalModelOptions options, std::unique_ptr<ChildProcess> child)
      : options_(std::move(options)), child_(std::move(child)) {}

  Status Handshake() {
    std::string request(internal::kProtocolVersionLine);
    request += '\n';
    internal::HandshakeReader handshake;
    auto consume = [&](std::string* pending) -> Result<bool> {
      PROBITY_RETURN_IF_ERROR(handshake.Consume(pending));
      return handshake.done();
    };
    PROBITY_RETURN_IF_ERROR(Exchange(request, consume, "its handshake"));
    output_line_ = handshake.line();
    layout_ = std::move(handshake).Finish();

    info_.format = "external";
    info_.format_version = std::string("1");  // (a literal trips GCC 12 -Wrestrict at -O3)
    info_.algorithm = options_.command;
    info_.task = layout_.task();
    info_.classes = layout_.classes;
    info_.inputs = options_.inputs;
    return OkStatus();
  }

  Result<Predictions> Predict(const Table& batch) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!failed_.ok()) {
      return FailedPreconditionError(Prefix() +
                                     " was stopped after an earlier error: " + failed_.ToString());
    }
    std::vector<const Column*> columns;
    std::vector<std::string> names;
    if (options_.inputs.empty()) {
      for (size_t i = 0; i < batch.num_columns(); ++i) {
        columns.push_back(&batch.column(i));
        names.push_back(batch.schema().field(i).name);
      }
    } else {
      PROBITY_ASSIGN_OR_RETURN(columns, BindColumns(info_, batch));
      for (const ModelInput& input : options_.inputs) names.push_back(input.name);
    }

    Predictions all;
    for (int64_t begin = 0; begin < batch.num_rows(); begin += options_.batch_rows) {
      const int64_t end = std::min(batch.num_rows(), begin + options_.batch_rows);
      std::string request = "batch " + std::to_string(end - begin) + "\n";
      ingest::AppendCsvHeader(names, &request);
      ingest::AppendCsvRows(columns, begin, end, &request);
      AnswerReader reader(layout_, end - begin, output_line_);
      auto consume = [&](std::string* pending) -> Result<bool> {
        PROBITY_RETURN_IF_ERROR(reader.Consume(pending));
        return reader.done();
      };
      ++batches_sent_;
      const std::string what = "batch " + std::to_string(batches_sent_) + " (rows " +
                               std::to_string(begin + 1) + "-" + std::to_string(end) + ")";
      Status status = Exchange(request, consume, what);
      if (!status.ok()) {
        failed_ = status;
        return status;
      }
      output_line_ = reader.line();
      AppendPredictions(std::move(reader).Finish(), &all);
    }
    return all;
  }

 private:
  std::string Prefix() const { return "external model \"" + options_.command + "\""; }

  // Runs one exchange with the child and turns every way it can fail into a Status naming
  // the command, `what` was being done, and the child's last words on stderr.
  Status Exchange(const std::string& request, const ChildProcess::Consume& consume,
                  const std::string& what) const {
    ExchangeResult result = child_->Exchange(request, &pending_, consume, options_.timeout_ms);
    if (result.end == ExchangeEnd::kDone) return OkStatus();
    Status status;
    switch (result.end) {
      case ExchangeEnd::kDone: break;
      case ExchangeEnd::kFailed:
        child_->Kill();
        status =
            Status(result.status.code(), Prefix() + ", " + what + ": " + result.status.message())
                .Expecting(result.status.expected());
        break;
      case ExchangeEnd::kTimedOut:
        status =
            FailedPreconditionError(Prefix() + " did not finish " + what + " within " +
                                    std::to_string(options_.timeout_ms) + " ms and was killed");
        break;
      case ExchangeEnd::kStoppedOutput:
        status = FailedPreconditionError(Prefix() + " " + child_->exit_description() + " during " +
                                         what);
        break;
    }
    const std::string tail = child_->stderr_tail();
    if (tail.empty()) return status;
    Status with_stderr(status.code(), status.message() + "; its stderr ends with:\n" + tail);
    if (!status.expected().empty()) with_stderr.Expecting(status.expected());
    return with_stderr;
  }

  const ExternalModelOptions options_;
  AnswerLayout layout_;
  // The child and the protocol state are used by one Predict at a time (mutex_).
  mutable std::mutex mutex_;
  std::unique_ptr<ChildProcess> child_;
  mutable std::string pending_;  // child output not yet consumed
  mutable int64_t output_line_ = 1;
  mutable int64_t batches_sent_ = 0;
  mutable Status failed_;
};

Status CheckOptions(const ExternalModelOptions& options) {
  if (options.command.empty()) {
    return InvalidArgumentError("the external model command is empty")
        .Expecting("a command to run with /bin/sh -c");
  }
  if (options.batch_rows < 1) {
    return InvalidArgumentError("external model batch size " + std::to_string(options.batch_rows))
        .Expecting("at least 1 row per batch");
  }
  if (options.timeout_ms < 1) {
    return InvalidArgumentError("external model timeout " + std::to_string(options.timeout_ms) +
                                " ms")
        .Expecting("a timeout of at least 1 ms");
  }
  for (const std::string& entry : options.environment) {
    const size_t eq = entry.find('=');
    if (eq == 0 || eq == std::string::npos) {
      return InvalidArgumentError("external model environment entry \"" + entry + "\"")
          .Expecting("NAME=VALUE");
    }
  }
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<Model>> StartExternalModel(const ExternalModelOptions& options) {
  PROBITY_RETURN_IF_ERROR(CheckOptions(options));
  std::vector<std::string> environment = {"PROBITY_MODEL_PROTOCOL=1"};
  environment.insert(environment.end(), options.environment.begin(), options.environment.end());
  PROBITY_ASSIGN_OR_RETURN(
      std::unique_ptr<ChildProcess> child,
      ChildProcess::Start(options.command, environment, options.shutdown_grace_ms));
  auto model = std::make_unique<ExternalModel>(options, std::move(child));
  PROBITY_RETURN_IF_ERROR(model->Handshake());
  return std::unique_ptr<Model>(std::move(model));
}

}  // namespace probity::models
