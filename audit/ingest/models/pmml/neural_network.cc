// NeuralNetwork: NeuralInputs (each an expression), feed-forward NeuralLayers with the
// PMML activation functions (per network, overridable per layer) and layer normalization
// (softmax, simplemax), and NeuralOutputs mapping output neurons to the target: NormDiscrete
// for a class probability, FieldRef or NormContinuous (inverted) for a regression value.
#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>

#include "audit/ingest/models/pmml/internal/compiler.h"
#include "audit/ingest/models/pmml/internal/regression_link.h"

namespace probity::models::pmml_internal {
namespace {

enum class Activation {
  kThreshold,
  kLogistic,
  kTanh,
  kIdentity,
  kExponential,
  kReciprocal,
  kSquare,
  kGauss,
  kSine,
  kCosine,
  kElliott,
  kArctan,
  kRectifier,
  kRadialBasis,
};

struct Neuron {
  double bias = 0;
  double width = 1;                                // radialBasis
  double altitude = 1;                             // radialBasis
  std::vector<std::pair<int32_t, double>> inputs;  // (unit index, weight)
};

struct Layer {
  Activation activation;
  double threshold = 0;
  Normalization normalization = Normalization::kNone;
  int32_t first_unit = 0;  // units of this layer: [first_unit, first_unit + neurons.size())
  std::vector<Neuron> neurons;
};

struct OutputMap {
  int32_t unit;
  int32_t class_index = -1;                     // classification
  std::vector<std::pair<double, double>> norm;  // regression NormContinuous (orig, norm)
};

double Activate(Activation a, double z, double threshold) {
  switch (a) {
    case Activation::kThreshold: return z > threshold ? 1 : 0;
    case Activation::kLogistic: return 1 / (1 + std::exp(-z));
    case Activation::kTanh: return std::tanh(z);
    case Activation::kIdentity: return z;
    case Activation::kExponential: return std::exp(z);
    case Activation::kReciprocal: return 1 / z;
    case Activation::kSquare: return z * z;
    case Activation::kGauss: return std::exp(-(z * z));
    case Activation::kSine: return std::sin(z);
    case Activation::kCosine: return std::cos(z);
    case Activation::kElliott: return z / (1 + std::fabs(z));
    case Activation::kArctan: return 2 * std::atan(z) / std::numbers::pi;
    case Activation::kRectifier: return std::max(0.0, z);
    case Activation::kRadialBasis: return z;  // computed in Evaluate
  }
  return z;
}

class NeuralEvaluator final : public Evaluator {
 public:
  std::vector<const Expr*> inputs;
  std::vector<Layer> layers;
  std::vector<OutputMap> output_map;
  int32_t units = 0;

  void Evaluate(RowContext& row, Score& out) const override {
    std::vector<double> u(static_cast<size_t>(units));
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::optional<double> v = inputs[i]->Eval(row).AsNumber();
      if (!v) return;
      u[i] = *v;
    }
    for (const Layer& layer : layers) {
      for (size_t n = 0; n < layer.neurons.size(); ++n) {
        const Neuron& neuron = layer.neurons[n];
        double z;
        if (layer.activation == Activation::kRadialBasis) {
          double d = 0;
          for (const auto& [from, w] : neuron.inputs) {
            const double diff = u[static_cast<size_t>(from)] - w;
            d += diff * diff;
          }
          z = std::exp(static_cast<double>(neuron.inputs.size()) * std::log(neuron.altitude) -
                       d / (2 * neuron.width * neuron.width));
        } else {
          z = neuron.bias;
          for (const auto& [from, w] : neuron.inputs) z += w * u[static_cast<size_t>(from)];
          z = Activate(layer.activation, z, layer.threshold);
        }
        u[static_cast<size_t>(layer.first_unit) + n] = z;
      }
      if (layer.normalization != Normalization::kNone) {
        std::span<double> values(u.data() + layer.first_unit, layer.neurons.size());
        std::vector<double> p;
        if (!NormalizeClassScores(layer.normalization, values, p)) return;
        std::copy(p.begin(), p.end(), values.begin());
      }
    }
    if (task == ModelTask::kRegression) {
      const OutputMap& o = output_map[0];
      double y = u[static_cast<size_t>(o.unit)];
      if (!o.norm.empty()) y = Denormalize(o.norm, y);
      out.value = y;
      out.missing = !std::isfinite(y);
      return;
    }
    out.probabilities.assign(classes.size(), 0);
    for (const OutputMap& o : output_map) {
      out.probabilities[static_cast<size_t>(o.class_index)] = u[static_cast<size_t>(o.unit)];
    }
    out.missing = false;
    out.label =
        static_cast<int32_t>(std::max_element(out.probabilities.begin(), out.probabilities.end()) -
                             out.probabilities.begin());
  }

 private:
  // The original value whose NormContinuous image is `y` (piecewise linear inverse).
  static double Denormalize(const std::vector<std::pair<double, double>>& norm, double y) {
    size_t i = 1;
    while (i < norm.size() - 1 && y > norm[i].second) ++i;
    const auto& [x0, y0] = norm[i - 1];
    const auto& [x1, y1] = norm[i];
    return x0 + (y - y0) / (y1 - y0) * (x1 - x0);
  }
};

Result<Activation> ReadActivation(const XmlSource& src, const pugi::xml_node& node,
                                  Activation fallback) {
  static const std::map<std::string_view, Activation> kActivations = {
      {"threshold", Activation::kThreshold},
      {"logistic", Activation::kLogistic},
      {"tanh", Activation::kTanh},
      {"identity", Activation::kIdentity},
      {"exponential", Activation::kExponential},
      {"reciprocal", Activation::kReciprocal},
      {"square", Activation::kSquare},
      {"Gauss", Activation::kGauss},
      {"sine", Activation::kSine},
      {"cosine", Activation::kCosine},
      {"Elliott", Activation::kElliott},
      {"arctan", Activation::kArctan},
      {"rectifier", Activation::kRectifier},
      {"radialBasis", Activation::kRadialBasis},
  };
  pugi::xml_attribute a = node.attribute("activationFunction");
  if (!a) return fallback;
  auto it = kActivations.find(a.value());
  if (it == kActivations.end()) {
    return src.Unsupported(node, "activationFunction=\"" + std::string(a.value()) + "\"");
  }
  return it->second;
}

}  // namespace

Result<std::unique_ptr<Evaluator>> CompileNeuralNetwork(Compiler& c, const pugi::xml_node& model) {
  const XmlSource& src = c.src();
  auto nn = std::make_unique<NeuralEvaluator>();
  c.InitEvaluator(*nn);
  if (nn->task == ModelTask::kClustering)
    return src.Unsupported(model, "a clustering NeuralNetwork");
  if (!model.attribute("activationFunction")) {
    return src.Invalid(model,
                       "<NeuralNetwork> lacks the required attribute \"activationFunction\"");
  }
  PROBITY_ASSIGN_OR_RETURN(Activation network_activation,
                           ReadActivation(src, model, Activation::kIdentity));
  PROBITY_ASSIGN_OR_RETURN(double network_threshold, src.Number(model, "threshold", 0));
  PROBITY_ASSIGN_OR_RETURN(double network_width, src.Number(model, "width", 1));
  PROBITY_ASSIGN_OR_RETURN(double network_altitude, src.Number(model, "altitude", 1));
  PROBITY_ASSIGN_OR_RETURN(Normalization network_norm,
                           ReadNormalization(src, model, ModelTask::kClassification));
  std::map<std::string, int32_t, std::less<>> unit_of;
  pugi::xml_node inputs = Child(model, "NeuralInputs");
  if (!inputs) return src.Invalid(model, "<NeuralNetwork> has no <NeuralInputs>");
  for (const pugi::xml_node& input : Children(inputs, "NeuralInput")) {
    PROBITY_ASSIGN_OR_RETURN(std::string id, src.RequiredText(input, "id"));
    pugi::xml_node derived = Child(input, "DerivedField");
    if (!derived) return src.Invalid(input, "<NeuralInput> has no <DerivedField>");
    PROBITY_ASSIGN_OR_RETURN(const Expr* expr, c.CompileExprChild(derived));
    if (!unit_of.emplace(id, nn->units++).second) {
      return src.Invalid(input, "neuron id \"" + id + "\" is used twice");
    }
    nn->inputs.push_back(expr);
  }
  for (const pugi::xml_node& xml : Children(model, "NeuralLayer")) {
    Layer layer;
    PROBITY_ASSIGN_OR_RETURN(layer.activation, ReadActivation(src, xml, network_activation));
    PROBITY_ASSIGN_OR_RETURN(layer.threshold, src.Number(xml, "threshold", network_threshold));
    layer.normalization = network_norm;
    if (xml.attribute("normalizationMethod")) {
      PROBITY_ASSIGN_OR_RETURN(layer.normalization,
                               ReadNormalization(src, xml, ModelTask::kClassification));
    }
    if (layer.normalization != Normalization::kNone &&
        layer.normalization != Normalization::kSoftmax &&
        layer.normalization != Normalization::kSimplemax) {
      return src.Unsupported(xml, "layer normalizationMethod other than none, softmax, simplemax");
    }
    PROBITY_ASSIGN_OR_RETURN(double layer_width, src.Number(xml, "width", network_width));
    PROBITY_ASSIGN_OR_RETURN(double layer_altitude, src.Number(xml, "altitude", network_altitude));
    layer.first_unit = nn->units;
    std::vector<std::pair<std::string, int32_t>> added;
    for (const pugi::xml_node& n : Children(xml, "Neuron")) {
      Neuron neuron;
      PROBITY_ASSIGN_OR_RETURN(std::string id, src.RequiredText(n, "id"));
      PROBITY_ASSIGN_OR_RETURN(neuron.bias, src.Number(n, "bias", 0));
      PROBITY_ASSIGN_OR_RETURN(neuron.width, src.Number(n, "width", layer_width));
      PROBITY_ASSIGN_OR_RETURN(neuron.altitude, src.Number(n, "altitude", layer_altitude));
      for (const pugi::xml_node& con : Children(n, "Con")) {
        PROBITY_ASSIGN_OR_RETURN(std::string from, src.RequiredText(con, "from"));
        PROBITY_ASSIGN_OR_RETURN(double weight, src.RequiredNumber(con, "weight"));
        auto unit = unit_of.find(from);
        if (unit == unit_of.end()) {
          return src.Invalid(
              con, "Con from=\"" + from + "\" names no neuron of an earlier layer or input");
        }
        neuron.inputs.emplace_back(unit->second, weight);
      }
      added.emplace_back(id, nn->units++);
      layer.neurons.push_back(std::move(neuron));
    }
    // Connections only reach back, so a layer's own ids become visible after it.
    for (auto& [id, unit] : added) {
      if (!unit_of.emplace(id, unit).second)
        return src.Invalid(xml, "neuron id \"" + id + "\" is used twice");
    }
    nn->layers.push_back(std::move(layer));
  }
  if (nn->layers.empty()) return src.Invalid(model, "<NeuralNetwork> has no <NeuralLayer>");
  const bool open_classes = nn->classes.empty();
  pugi::xml_node outputs = Child(model, "NeuralOutputs");
  if (!outputs) return src.Invalid(model, "<NeuralNetwork> has no <NeuralOutputs>");
  for (const pugi::xml_node& output : Children(outputs, "NeuralOutput")) {
    PROBITY_ASSIGN_OR_RETURN(std::string id, src.RequiredText(output, "outputNeuron"));
    auto unit = unit_of.find(id);
    if (unit == unit_of.end())
      return src.Invalid(output, "outputNeuron \"" + id + "\" is not a neuron");
    OutputMap map{unit->second, -1, {}};
    pugi::xml_node derived = Child(output, "DerivedField");
    std::vector<pugi::xml_node> exprs = derived ? Elements(derived) : std::vector<pugi::xml_node>{};
    if (exprs.empty())
      return src.Invalid(output, "<NeuralOutput> has no <DerivedField> expression");
    const pugi::xml_node e = exprs.front();
    const std::string_view kind = LocalName(e);
    if (nn->task == ModelTask::kClassification) {
      if (kind != "NormDiscrete") {
        return src.Unsupported(e, "<" + std::string(kind) + "> as a classification NeuralOutput");
      }
      PROBITY_ASSIGN_OR_RETURN(std::string value, src.RequiredText(e, "value"));
      map.class_index = ClassIndex(nn->classes, value, open_classes);
      if (map.class_index < 0)
        return src.Invalid(e, "NormDiscrete value \"" + value + "\" is not a class");
    } else if (kind == "NormContinuous") {
      for (const pugi::xml_node& norm : Children(e, "LinearNorm")) {
        PROBITY_ASSIGN_OR_RETURN(double orig, src.RequiredNumber(norm, "orig"));
        PROBITY_ASSIGN_OR_RETURN(double value, src.RequiredNumber(norm, "norm"));
        if (!map.norm.empty() &&
            !(value > map.norm.back().second && orig > map.norm.back().first)) {
          return src.Invalid(norm, "LinearNorm points must increase");
        }
        map.norm.emplace_back(orig, value);
      }
      if (map.norm.size() < 2) return src.Invalid(e, "<NormContinuous> needs two <LinearNorm>s");
    } else if (kind != "FieldRef") {
      return src.Unsupported(e, "<" + std::string(kind) + "> as a regression NeuralOutput");
    }
    nn->output_map.push_back(std::move(map));
  }
  if (nn->output_map.empty()) return src.Invalid(outputs, "<NeuralOutputs> has no <NeuralOutput>");
  if (nn->task == ModelTask::kRegression && nn->output_map.size() != 1) {
    return src.Unsupported(outputs, "a regression NeuralNetwork with several outputs");
  }
  nn->yields_probabilities = nn->task == ModelTask::kClassification;
  nn->structure = {{"layers", static_cast<int64_t>(nn->layers.size())},
                   {"neurons", static_cast<int64_t>(nn->units)}};
  return std::unique_ptr<Evaluator>(std::move(nn));
}

}  // namespace probity::models::pmml_internal
