// ClusteringModel (center-based): the distance or similarity of a row to each Cluster
// center over the ClusteringFields (compare functions absDiff, gaussSim, delta, equal; field
// weights; metrics euclidean, squaredEuclidean, chebychev, cityBlock, minkowski). The
// predicted cluster is the nearest (most similar) one; affinities are the per-cluster
// measures. Missing inputs are skipped and the measure is rescaled by MissingValueWeights.
#include <cmath>
#include <map>

#include "audit/ingest/models/pmml/internal/compiler.h"

namespace probity::models::pmml_internal {
namespace {

enum class Metric { kEuclidean, kSquaredEuclidean, kChebychev, kCityBlock, kMinkowski };
enum class Compare { kAbsDiff, kGaussSim, kDelta, kEqual };

struct Field {
  int32_t slot;
  Compare compare;
  double weight = 1;
  double scale = 1;  // gaussSim similarityScale
};

class ClusteringEvaluator final : public Evaluator {
 public:
  Metric metric = Metric::kSquaredEuclidean;
  double p = 2;
  bool similarity = false;
  std::vector<Field> fields;
  std::vector<double> missing_weights;  // per field
  std::vector<std::vector<double>> centers;
  std::vector<std::string_view> ids;

  void Evaluate(RowContext& row, Score& out) const override {
    std::vector<double> x(fields.size());
    std::vector<uint8_t> present(fields.size());
    double all_weight = 0;
    double present_weight = 0;
    for (size_t j = 0; j < fields.size(); ++j) {
      std::optional<double> v = row.Get(fields[j].slot).AsNumber();
      present[j] = v.has_value();
      x[j] = v.value_or(0);
      all_weight += missing_weights[j];
      if (v) present_weight += missing_weights[j];
    }
    if (present_weight <= 0) return;
    const double adjust = all_weight / present_weight;
    out.affinities.resize(centers.size());
    int32_t best = -1;
    for (size_t k = 0; k < centers.size(); ++k) {
      double acc = 0;
      for (size_t j = 0; j < fields.size(); ++j) {
        if (!present[j]) continue;
        const double c = Compared(fields[j], x[j], centers[k][j]);
        switch (metric) {
          case Metric::kEuclidean:
          case Metric::kSquaredEuclidean: acc += fields[j].weight * c * c; break;
          case Metric::kChebychev: acc = std::max(acc, fields[j].weight * c); break;
          case Metric::kCityBlock: acc += fields[j].weight * c; break;
          case Metric::kMinkowski: acc += fields[j].weight * std::pow(c, p); break;
        }
      }
      if (metric != Metric::kChebychev) acc *= adjust;
      if (metric == Metric::kEuclidean) acc = std::sqrt(acc);
      if (metric == Metric::kMinkowski) acc = std::pow(acc, 1 / p);
      out.affinities[k] = acc;
      const double current = best < 0 ? 0 : out.affinities[static_cast<size_t>(best)];
      if (best < 0 || (similarity ? acc > current : acc < current)) best = static_cast<int32_t>(k);
    }
    out.missing = false;
    out.label = best;
    out.entity_id = ids[static_cast<size_t>(best)];
  }

 private:
  static double Compared(const Field& f, double x, double y) {
    switch (f.compare) {
      case Compare::kAbsDiff: return std::fabs(x - y);
      case Compare::kGaussSim:
        return std::exp(-std::log(2.0) * (x - y) * (x - y) / (f.scale * f.scale));
      case Compare::kDelta: return x == y ? 0 : 1;
      case Compare::kEqual: return x == y ? 1 : 0;
    }
    return std::fabs(x - y);
  }
};

Result<Compare> ReadCompare(const XmlSource& src, const pugi::xml_node& node, Compare fallback) {
  pugi::xml_attribute a = node.attribute("compareFunction");
  if (!a) return fallback;
  const std::string_view name = a.value();
  if (name == "absDiff") return Compare::kAbsDiff;
  if (name == "gaussSim") return Compare::kGaussSim;
  if (name == "delta") return Compare::kDelta;
  if (name == "equal") return Compare::kEqual;
  return src.Unsupported(node, "compareFunction=\"" + std::string(name) + "\"");
}

}  // namespace

Result<std::unique_ptr<Evaluator>> CompileClusteringModel(Compiler& c,
                                                          const pugi::xml_node& model) {
  const XmlSource& src = c.src();
  auto cm = std::make_unique<ClusteringEvaluator>();
  c.InitEvaluator(*cm);
  if (cm->task != ModelTask::kClustering) {
    return src.Invalid(model, "a ClusteringModel must have functionName=\"clustering\"");
  }
  std::string_view model_class = model.attribute("modelClass").as_string("centerBased");
  if (model_class != "centerBased") {
    return src.Unsupported(model, "modelClass=\"" + std::string(model_class) + "\"");
  }
  pugi::xml_node measure = Child(model, "ComparisonMeasure");
  if (!measure) return src.Invalid(model, "<ClusteringModel> has no <ComparisonMeasure>");
  std::string_view kind = measure.attribute("kind").as_string("distance");
  cm->similarity = kind == "similarity";
  PROBITY_ASSIGN_OR_RETURN(Compare default_compare, ReadCompare(src, measure, Compare::kAbsDiff));
  std::vector<pugi::xml_node> metric_nodes = Elements(measure);
  if (metric_nodes.empty()) return src.Invalid(measure, "<ComparisonMeasure> names no metric");
  const std::string_view metric = LocalName(metric_nodes.front());
  if (metric == "euclidean") {
    cm->metric = Metric::kEuclidean;
  } else if (metric == "squaredEuclidean") {
    cm->metric = Metric::kSquaredEuclidean;
  } else if (metric == "chebychev") {
    cm->metric = Metric::kChebychev;
  } else if (metric == "cityBlock") {
    cm->metric = Metric::kCityBlock;
  } else if (metric == "minkowski") {
    cm->metric = Metric::kMinkowski;
    PROBITY_ASSIGN_OR_RETURN(cm->p, src.RequiredNumber(metric_nodes.front(), "p-parameter"));
    if (!(cm->p > 0)) return src.Invalid(metric_nodes.front(), "p-parameter must be positive");
  } else {
    return src.Unsupported(metric_nodes.front(),
                           "the comparison metric <" + std::string(metric) + ">");
  }
  for (const pugi::xml_node& xml : Children(model, "ClusteringField")) {
    if (!xml.attribute("isCenterField").as_bool(true)) continue;
    Field f{};
    PROBITY_ASSIGN_OR_RETURN(f.slot, c.ResolveAttribute(xml, "field"));
    PROBITY_ASSIGN_OR_RETURN(f.compare, ReadCompare(src, xml, default_compare));
    PROBITY_ASSIGN_OR_RETURN(f.weight, src.Number(xml, "fieldWeight", 1));
    PROBITY_ASSIGN_OR_RETURN(f.scale, src.Number(xml, "similarityScale", 1));
    if (Child(xml, "Comparisons")) return src.Unsupported(xml, "<Comparisons> tables");
    cm->fields.push_back(f);
  }
  if (cm->fields.empty()) return src.Invalid(model, "<ClusteringModel> has no <ClusteringField>");
  cm->missing_weights.assign(cm->fields.size(), 1);
  if (pugi::xml_node weights = Child(model, "MissingValueWeights")) {
    PROBITY_ASSIGN_OR_RETURN(
        cm->missing_weights,
        src.NumberArray(Child(weights, "Array"), static_cast<int64_t>(cm->fields.size())));
  }
  for (const pugi::xml_node& xml : Children(model, "Cluster")) {
    pugi::xml_node array = Child(xml, "Array");
    if (!array) return src.Invalid(xml, "<Cluster> has no center <Array>");
    PROBITY_ASSIGN_OR_RETURN(std::vector<double> center,
                             src.NumberArray(array, static_cast<int64_t>(cm->fields.size())));
    cm->centers.push_back(std::move(center));
    std::string id = xml.attribute("id")     ? xml.attribute("id").as_string()
                     : xml.attribute("name") ? xml.attribute("name").as_string()
                                             : std::to_string(cm->centers.size());
    cm->classes.push_back(id);
  }
  if (cm->centers.empty()) return src.Invalid(model, "<ClusteringModel> has no <Cluster>");
  PROBITY_ASSIGN_OR_RETURN(int64_t declared, src.Integer(model, "numberOfClusters",
                                                         static_cast<int64_t>(cm->centers.size()),
                                                         0, kMaxDeclaredCount));
  if (static_cast<size_t>(declared) != cm->centers.size()) {
    return src.Invalid(model, "numberOfClusters=\"" + std::to_string(declared) +
                                  "\" but there are " + std::to_string(cm->centers.size()) +
                                  " <Cluster>s");
  }
  for (const std::string& id : cm->classes) cm->ids.push_back(c.program().Intern(id));
  cm->structure = {{"clusters", static_cast<int64_t>(cm->centers.size())}};
  return std::unique_ptr<Evaluator>(std::move(cm));
}

}  // namespace probity::models::pmml_internal
