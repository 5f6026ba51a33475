// SupportVectorMachineModel: a VectorDictionary of dense or sparse support vectors over
// VectorFields, a kernel (linear, polynomial, radial basis, sigmoid), and one or more
// SupportVectorMachines, each f(x) = Σ αᵢ·K(x, svᵢ) + b (or Σ cⱼ·xⱼ + b in the Coefficients
// representation). Regression returns f; classification votes OneAgainstOne (probability =
// vote share) or picks the best machine OneAgainstAll.
#include <algorithm>
#include <cmath>
#include <map>

#include "audit/ingest/models/pmml/internal/compiler.h"

namespace probity::models::pmml_internal {
namespace {

// Sparse vectors are stored densely; this bounds the memory a small document can claim.
constexpr size_t kMaxDenseCells = size_t{1} << 25;

enum class Kernel { kLinear, kPolynomial, kRadialBasis, kSigmoid };

struct Machine {
  int32_t target = -1;
  int32_t alternate = -1;
  double threshold = 0;
  double bias = 0;
  std::vector<int32_t> vectors;  // indices into the dictionary (SupportVectors)
  std::vector<double> alphas;    // one per vector, or one per field (Coefficients)
};

class SvmEvaluator final : public Evaluator {
 public:
  std::vector<int32_t> fields;  // slots of the VectorFields
  std::vector<std::vector<double>> dictionary;
  Kernel kernel = Kernel::kLinear;
  double gamma = 1, coef0 = 1, degree = 1;
  bool coefficients_representation = false;
  bool one_against_one = true;
  bool max_wins = false;
  std::vector<Machine> machines;

  void Evaluate(RowContext& row, Score& out) const override {
    std::vector<double> x(fields.size());
    for (size_t j = 0; j < fields.size(); ++j) {
      std::optional<double> v = row.Get(fields[j]).AsNumber();
      if (!v) return;
      x[j] = *v;
    }
    if (task == ModelTask::kRegression) {
      out.value = Decision(machines[0], x);
      out.missing = !std::isfinite(out.value);
      return;
    }
    if (one_against_one) {
      std::vector<double> votes(classes.size(), 0);
      for (const Machine& m : machines) {
        const double f = Decision(m, x);
        const bool to_target = max_wins ? f > m.threshold : f < m.threshold;
        votes[static_cast<size_t>(to_target ? m.target : m.alternate)] += 1;
      }
      int32_t best = 0;
      for (size_t k = 1; k < votes.size(); ++k) {
        if (votes[k] > votes[static_cast<size_t>(best)]) best = static_cast<int32_t>(k);
      }
      for (double& v : votes) v /= static_cast<double>(machines.size());
      out.missing = false;
      out.label = best;
      out.probabilities = std::move(votes);
      return;
    }
    double best_value = 0;
    int32_t best = -1;
    for (const Machine& m : machines) {
      const double f = Decision(m, x);
      if (best < 0 || (max_wins ? f > best_value : f < best_value)) {
        best = m.target;
        best_value = f;
      }
    }
    out.missing = best < 0;
    out.label = best;
  }

 private:
  double Decision(const Machine& m, const std::vector<double>& x) const {
    double f = m.bias;
    if (coefficients_representation) {
      for (size_t j = 0; j < x.size(); ++j) f += m.alphas[j] * x[j];
      return f;
    }
    for (size_t i = 0; i < m.vectors.size(); ++i) {
      f += m.alphas[i] * K(dictionary[static_cast<size_t>(m.vectors[i])], x);
    }
    return f;
  }
  double K(const std::vector<double>& a, const std::vector<double>& b) const {
    double dot = 0;
    if (kernel == Kernel::kRadialBasis) {
      for (size_t j = 0; j < a.size(); ++j) dot += (a[j] - b[j]) * (a[j] - b[j]);
      return std::exp(-gamma * dot);
    }
    for (size_t j = 0; j < a.size(); ++j) dot += a[j] * b[j];
    switch (kernel) {
      case Kernel::kLinear: return dot;
      case Kernel::kPolynomial: return std::pow(gamma * dot + coef0, degree);
      case Kernel::kSigmoid: return std::tanh(gamma * dot + coef0);
      case Kernel::kRadialBasis: break;
    }
    return dot;
  }
};

}  // namespace

Result<std::unique_ptr<Evaluator>> CompileSupportVectorMachineModel(Compiler& c,
                                                                    const pugi::xml_node& model) {
  const XmlSource& src = c.src();
  auto svm = std::make_unique<SvmEvaluator>();
  c.InitEvaluator(*svm);
  if (svm->task == ModelTask::kClustering) return src.Unsupported(model, "a clustering SVM");
  std::string_view representation =
      model.attribute("svmRepresentation").as_string("SupportVectors");
  svm->coefficients_representation = representation == "Coefficients";
  if (!svm->coefficients_representation && representation != "SupportVectors") {
    return src.Invalid(model,
                       "svmRepresentation \"" + std::string(representation) + "\" is unknown");
  }
  std::string_view method = model.attribute("classificationMethod").as_string("OneAgainstAll");
  svm->one_against_one = method == "OneAgainstOne";
  if (!svm->one_against_one && method != "OneAgainstAll") {
    return src.Invalid(model, "classificationMethod \"" + std::string(method) + "\" is unknown");
  }
  svm->max_wins = model.attribute("maxWins").as_bool(false);
  PROBITY_ASSIGN_OR_RETURN(double model_threshold, src.Number(model, "threshold", 0));

  // Kernel.
  bool kernel_found = false;
  for (const pugi::xml_node& k : Elements(model)) {
    const std::string_view name = LocalName(k);
    if (name == "LinearKernelType") {
      svm->kernel = Kernel::kLinear;
    } else if (name == "PolynomialKernelType") {
      svm->kernel = Kernel::kPolynomial;
      PROBITY_ASSIGN_OR_RETURN(svm->gamma, src.Number(k, "gamma", 1));
      PROBITY_ASSIGN_OR_RETURN(svm->coef0, src.Number(k, "coef0", 1));
      PROBITY_ASSIGN_OR_RETURN(svm->degree, src.Number(k, "degree", 1));
    } else if (name == "RadialBasisKernelType") {
      svm->kernel = Kernel::kRadialBasis;
      PROBITY_ASSIGN_OR_RETURN(svm->gamma, src.Number(k, "gamma", 1));
    } else if (name == "SigmoidKernelType") {
      svm->kernel = Kernel::kSigmoid;
      PROBITY_ASSIGN_OR_RETURN(svm->gamma, src.Number(k, "gamma", 1));
      PROBITY_ASSIGN_OR_RETURN(svm->coef0, src.Number(k, "coef0", 1));
    } else {
      continue;
    }
    kernel_found = true;
    break;
  }
  if (!kernel_found) return src.Invalid(model, "<SupportVectorMachineModel> has no kernel type");

  pugi::xml_node dictionary = Child(model, "VectorDictionary");
  if (!dictionary)
    return src.Invalid(model, "<SupportVectorMachineModel> has no <VectorDictionary>");
  pugi::xml_node vector_fields = Child(dictionary, "VectorFields");
  for (const pugi::xml_node& f : Elements(vector_fields)) {
    if (LocalName(f) != "FieldRef")
      return src.Unsupported(f, std::string("<").append(LocalName(f)) + "> in <VectorFields>");
    PROBITY_ASSIGN_OR_RETURN(int32_t slot, c.ResolveAttribute(f, "field"));
    svm->fields.push_back(slot);
  }
  const size_t width = svm->fields.size();
  if (width == 0) return src.Invalid(dictionary, "<VectorFields> is empty");
  std::map<std::string, int32_t, std::less<>> vector_of;
  for (const pugi::xml_node& instance : Children(dictionary, "VectorInstance")) {
    PROBITY_ASSIGN_OR_RETURN(std::string id, src.RequiredText(instance, "id"));
    if ((svm->dictionary.size() + 1) * width > kMaxDenseCells) {
      return src.Invalid(instance, "the VectorDictionary holds more than " +
                                       std::to_string(kMaxDenseCells) + " values");
    }
    std::vector<double> dense(width, 0);
    if (pugi::xml_node sparse = Child(instance, "REAL-SparseArray")) {
      PROBITY_ASSIGN_OR_RETURN(
          int64_t n, src.Integer(sparse, "n", static_cast<int64_t>(width), 0, kMaxDeclaredCount));
      if (static_cast<size_t>(n) != width) {
        return src.Invalid(sparse, "REAL-SparseArray n=\"" + std::to_string(n) +
                                       "\" but there are " + std::to_string(width) +
                                       " VectorFields");
      }
      std::vector<double> indices;
      std::vector<double> entries;
      if (pugi::xml_node node = Child(sparse, "Indices")) {
        pugi::xml_node array = node;
        PROBITY_ASSIGN_OR_RETURN(indices, src.NumberArray(array, -1));
      }
      if (pugi::xml_node node = Child(sparse, "REAL-Entries")) {
        PROBITY_ASSIGN_OR_RETURN(entries,
                                 src.NumberArray(node, static_cast<int64_t>(indices.size())));
      } else if (!indices.empty()) {
        return src.Invalid(sparse, "<REAL-SparseArray> has Indices but no REAL-Entries");
      }
      for (size_t i = 0; i < indices.size(); ++i) {
        if (!(indices[i] >= 1 && indices[i] <= static_cast<double>(width)) ||
            indices[i] != std::floor(indices[i])) {
          return src.Invalid(sparse, "sparse index " + std::to_string(indices[i]) +
                                         " is outside 1.." + std::to_string(width));
        }
        dense[static_cast<size_t>(indices[i]) - 1] = entries[i];
      }
    } else if (pugi::xml_node array = Child(instance, "Array")) {
      PROBITY_ASSIGN_OR_RETURN(dense, src.NumberArray(array, static_cast<int64_t>(width)));
    } else {
      return src.Invalid(instance, "<VectorInstance> has no array");
    }
    if (!vector_of.emplace(id, static_cast<int32_t>(svm->dictionary.size())).second) {
      return src.Invalid(instance, "VectorInstance id \"" + id + "\" is used twice");
    }
    svm->dictionary.push_back(std::move(dense));
  }

  const bool open = svm->classes.empty();
  for (const pugi::xml_node& xml : Children(model, "SupportVectorMachine")) {
    Machine m;
    PROBITY_ASSIGN_OR_RETURN(m.threshold, src.Number(xml, "threshold", model_threshold));
    if (svm->task == ModelTask::kClassification) {
      PROBITY_ASSIGN_OR_RETURN(std::string target, src.RequiredText(xml, "targetCategory"));
      m.target = ClassIndex(svm->classes, target, open);
      if (m.target < 0) return src.Invalid(xml, "targetCategory \"" + target + "\" is not a class");
      if (svm->one_against_one) {
        std::string alternate =
            xml.attribute("alternateTargetCategory")
                .as_string(model.attribute("alternateBinaryTargetCategory").as_string());
        m.alternate = ClassIndex(svm->classes, alternate, open && !alternate.empty());
        if (m.alternate < 0) {
          return src.Invalid(xml, "alternateTargetCategory \"" + alternate + "\" is not a class");
        }
      }
    }
    pugi::xml_node coefficients = Child(xml, "Coefficients");
    if (!coefficients) return src.Invalid(xml, "<SupportVectorMachine> has no <Coefficients>");
    PROBITY_ASSIGN_OR_RETURN(m.bias, src.Number(coefficients, "absoluteValue", 0));
    for (const pugi::xml_node& coefficient : Children(coefficients, "Coefficient")) {
      PROBITY_ASSIGN_OR_RETURN(double value, src.Number(coefficient, "value", 0));
      m.alphas.push_back(value);
    }
    if (svm->coefficients_representation) {
      if (m.alphas.size() != width) {
        return src.Invalid(coefficients, "there are " + std::to_string(m.alphas.size()) +
                                             " Coefficients for " + std::to_string(width) +
                                             " VectorFields");
      }
    } else {
      for (const pugi::xml_node& sv : Children(Child(xml, "SupportVectors"), "SupportVector")) {
        PROBITY_ASSIGN_OR_RETURN(std::string id, src.RequiredText(sv, "vectorId"));
        auto v = vector_of.find(id);
        if (v == vector_of.end())
          return src.Invalid(sv, "vectorId \"" + id + "\" is not in the VectorDictionary");
        m.vectors.push_back(v->second);
      }
      if (m.vectors.size() != m.alphas.size()) {
        return src.Invalid(coefficients, "there are " + std::to_string(m.alphas.size()) +
                                             " Coefficients for " +
                                             std::to_string(m.vectors.size()) + " SupportVectors");
      }
    }
    svm->machines.push_back(std::move(m));
  }
  if (svm->machines.empty())
    return src.Invalid(model, "<SupportVectorMachineModel> has no <SupportVectorMachine>");
  if (svm->task == ModelTask::kRegression && svm->machines.size() != 1) {
    return src.Invalid(model, "a regression SVM needs exactly one <SupportVectorMachine>");
  }
  svm->yields_probabilities = svm->task == ModelTask::kClassification && svm->one_against_one;
  svm->structure = {{"machines", static_cast<int64_t>(svm->machines.size())},
                    {"support_vectors", static_cast<int64_t>(svm->dictionary.size())}};
  return std::unique_ptr<Evaluator>(std::move(svm));
}

}  // namespace probity::models::pmml_internal
