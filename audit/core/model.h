// Model is the one interface every scoring engine implements, whatever the file format
// (PMML, XGBoost, LightGBM, Probity native JSON, an external command). Fairness, explain
// and the CLI only ever see this interface and the read-only structure views
// (TreeEnsembleView, LinearView); loaders live in audit/ingest/models/.
//
//   PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, models::LoadModel(fs, "m.json"));
//   PROBITY_ASSIGN_OR_RETURN(Predictions p, model->Predict(batch));
//   double p1 = p.Probability(row, 1);   // classifier, class index 1
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/core/buffer.h"
#include "audit/core/column.h"
#include "audit/core/digest.h"
#include "audit/core/result.h"
#include "audit/core/table.h"

namespace probity {

enum class ModelTask { kRegression, kClassification, kClustering };
std::string_view ModelTaskName(ModelTask task);  // "regression", "classification", "clustering"

// How a model reads one input: as a number or as one of a set of categories.
enum class InputKind { kContinuous, kCategorical, kOrdinal };
std::string_view InputKindName(InputKind kind);  // "continuous", "categorical", "ordinal"

// One field the model reads from the data, bound to the table column of the same name.
struct ModelInput {
  std::string name;
  InputKind kind = InputKind::kContinuous;
  // Declared categories, in the model's order (the order category codes refer to); empty
  // for continuous inputs and for categorical inputs whose values the format leaves open.
  std::vector<std::string> categories;
  std::string format_type;  // the type as the file spells it ("float", "c", "double"…)
};

// What `probity model inspect` shows; also the contract for Predict's output shape.
struct ModelInfo {
  std::string format;          // "pmml", "xgboost", "lightgbm", "probity", "external"
  std::string format_version;  // e.g. "4.3", "3.4.1", "v4"
  std::string algorithm;       // "gbtree", "TreeModel", "RegressionModel", "dart"…
  ModelTask task = ModelTask::kRegression;
  std::string objective;  // as the format names it: "binary:logistic", "multiclass"…
  std::string link;       // output transform: "identity", "logistic", "softmax", "exp"…
  std::vector<ModelInput> inputs;
  std::string target;                // the predicted field's name where the format has one
  std::vector<std::string> classes;  // classifier/cluster labels, in model order
  int num_targets = 1;               // regression outputs per row (multi-output trees)
  // Counts for the inspect report, e.g. {"trees", 100}, {"max_depth", 6}, {"leaves", 3012}.
  std::vector<std::pair<std::string, int64_t>> structure;
  Digest digest;  // SHA-256 of the model file's bytes
  int64_t size_bytes = 0;
};

// Predictions for a batch of rows, in the batch's row order.
struct Predictions {
  int64_t rows = 0;
  // Regression (and num_targets > 1): rows × num_targets values, row-major; NaN = missing
  // (a model that cannot score the row, e.g. a PMML tree with no true child).
  Buffer<double> values;
  // Classification: rows × classes probabilities in ModelInfo::classes order, row-major;
  // empty when the model gives labels only (e.g. a majority-vote SVM without probabilities).
  Buffer<double> probabilities;
  // Classification and clustering: predicted class index per row, -1 = missing.
  std::vector<int32_t> labels;
  // The raw margin (before the link) where the format has one: rows × margin_width.
  Buffer<double> margins;
  int margin_width = 0;
  // Further named outputs the format defines (PMML OutputField values, reason codes,
  // cluster affinities), one column per output, `rows` long.
  std::vector<std::pair<std::string, Column>> extra;

  double Value(int64_t row, int target = 0) const;
  double Probability(int64_t row, size_t class_index) const;
};

// ---- Structure views (read-only, format-independent) used by exact explainers --------

// How a node routes a row.
enum class SplitKind {
  kLeaf,
  kLess,         // value <  threshold goes left (XGBoost)
  kLessEqual,    // value <= threshold goes left (LightGBM, most PMML trees)
  kCategorical,  // category in `categories` goes left when categories_go_left, else right
};

struct TreeNode {
  SplitKind kind = SplitKind::kLeaf;
  int32_t feature = -1;  // index into ModelInfo::inputs
  double threshold = 0;
  std::vector<int32_t> categories;  // category codes (ModelInput::categories indices)
  bool categories_go_left = true;
  bool default_left = true;  // where a missing value goes
  // LightGBM's missing type "Zero": |value| <= 1e-35 also routes like a missing value.
  bool zero_is_missing = false;
  int32_t left = -1;         // child node indices within the tree
  int32_t right = -1;
  // Leaf value(s): one per output of the tree (multi-output trees have several).
  std::vector<double> leaf;
  // Training weight that reached the node (XGBoost: hessian sum; LightGBM: sample count;
  // PMML: recordCount); NaN when the format does not store it.
  double cover = 0;
};

struct TreeView {
  std::vector<TreeNode> nodes;  // nodes[0] is the root
  int output = 0;               // which margin output the tree adds to (multiclass)
  double weight = 1;            // tree weight (dart drop weights, averaging)
};

// Depth of the deepest leaf (a lone leaf has depth 0). The tree must be acyclic.
int TreeDepth(const TreeView& tree);

// Whether a row whose input value is `value` (as Model::ViewInputs gives it; NaN = missing)
// goes to `node.left`. Requires node.kind != kLeaf. The same routing the models score with:
// a categorical value's integer part is its code.
bool GoesLeft(const TreeNode& node, double value);

// A tree ensemble in margin space: margin[k] = base_margin[k] + Σ_trees weight·leaf,
// then `link` maps margins to the prediction (identity, logistic, softmax, exp).
struct TreeEnsembleView {
  std::vector<TreeView> trees;
  int num_outputs = 1;
  std::vector<double> base_margin;  // per output
  bool average = false;             // random forests: divide the sum by the tree count
  std::string link;
  std::string cover_kind;  // "hessian", "count", "recordCount", "unknown"
};

// A generalized linear model: margin[k] = intercept[k] + Σ_j coefficients[k][j]·x_j.
struct LinearView {
  std::vector<std::vector<double>> coefficients;  // [output][input]
  std::vector<double> intercepts;                 // per output
  std::string link;                               // "identity", "logit", "softmax"…
};

// Model::Predict parallelizes over rows (OpenMP) only for batches of at least this many
// rows; smaller batches run on the calling thread, so callers that already score batches
// in parallel (the dataset pipeline behind `probity predict`) do not oversubscribe cores.
inline constexpr int64_t kParallelPredictRows = 1 << 15;

class Model {
 public:
  virtual ~Model() = default;

  const ModelInfo& info() const { return info_; }
  // Records the bytes the model was loaded from (set by the loader dispatcher).
  void SetSource(Digest digest, int64_t size_bytes) {
    info_.digest = digest;
    info_.size_bytes = size_bytes;
  }

  // Scores one batch. Inputs are bound to `batch` columns by name; errors
  // (kInvalidArgument) name the column and the model input: a missing column, a type the
  // model cannot read, an unseen category. Thread-safe: batches may be scored
  // concurrently from several threads.
  virtual Result<Predictions> Predict(const Table& batch) const = 0;

  // Structure views; nullptr when the model is not of that shape. Valid while the model is.
  virtual const TreeEnsembleView* tree_view() const { return nullptr; }
  virtual const LinearView* linear_view() const { return nullptr; }

  // The input values the structure views read, rows × inputs (ModelInfo::inputs order),
  // row-major, exactly as Predict reads `batch`: continuous inputs as numbers (XGBoost:
  // rounded to float, as it scores), categorical inputs as their category code, NaN for a
  // missing value. Same errors as Predict. kUnimplemented for models without a view.
  virtual Result<Buffer<double>> ViewInputs(const Table& batch) const;

 protected:
  ModelInfo info_;  // filled by the loader
};

}  // namespace probity
