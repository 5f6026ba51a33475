// The external model adapter turns any program into a Model: Probity starts the command
// once, sends it batches of rows as CSV on its stdin and reads predictions as CSV from its
// stdout, per probity-model-protocol 1 (docs/formats/external-model.md). A model written in
// any language can then be scored, audited and explained like a built-in one.
//
//   PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<Model> model,
//       models::StartExternalModel({.command = "python3 adapter.py model.pkl"}));
//   PROBITY_ASSIGN_OR_RETURN(Predictions p, model->Predict(table));
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "audit/core/model.h"
#include "audit/core/result.h"

namespace probity::models {

struct ExternalModelOptions {
  // Run as `/bin/sh -c command`, in its own process group.
  std::string command;
  // Rows per protocol batch; Predict splits larger tables.
  int64_t batch_rows = 10'000;
  // How long the child may take for its handshake, and for each batch (writing the batch
  // and reading the whole answer).
  int64_t timeout_ms = 60'000;
  // NAME=VALUE entries added to the child's environment, which is otherwise Probity's own
  // (plus PROBITY_MODEL_PROTOCOL=1); an entry replaces a variable of the same name.
  std::vector<std::string> environment;
  // The inputs the model reads. When given, only these columns are sent, in this order,
  // and a missing one is an error before anything is sent; kind and categories are shown
  // by `probity model inspect` only. Empty: every column of the batch is sent.
  std::vector<ModelInput> inputs;
  // At shutdown (the model destroyed), how long the child may take to exit after its stdin
  // is closed before it is killed.
  int64_t shutdown_grace_ms = 5'000;
};

// Starts the command and performs the handshake (each side's version line; the child then
// declares its answer header, which gives the task and the classes). ModelInfo: format
// "external", format_version "1", algorithm = the command, task and classes from the
// header, inputs = options.inputs.
//
// Errors: kInvalidArgument for bad options (empty command, batch_rows or timeout_ms < 1,
// an environment entry without NAME=) and for a handshake that breaks the protocol (wrong
// version line, a header without `prediction`, an unknown column); kFailedPrecondition when
// the process cannot be started, exits, or does not finish the handshake within timeout_ms.
// Messages name the command and end with the tail of the child's stderr.
//
// The returned model's Predict is thread-safe (calls are serialized: one child serves
// them in turn). Errors from Predict: kInvalidArgument for a missing declared input or a
// malformed answer (wrong header, wrong row count or field count, a prediction that is not
// a number or not a declared class, a probability that is not a number in [0, 1]);
// kFailedPrecondition when the child exits, is killed, or does not answer a batch within
// timeout_ms. After any error the child is stopped, and every later Predict returns
// kFailedPrecondition repeating the first error. Destroying the model closes the child's
// stdin, waits up to shutdown_grace_ms, then kills its process group and reaps it.
Result<std::unique_ptr<Model>> StartExternalModel(const ExternalModelOptions& options);

}  // namespace probity::models
