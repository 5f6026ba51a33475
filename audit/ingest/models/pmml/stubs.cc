#include "audit/ingest/models/pmml/internal/compiler.h"
namespace probity::models::pmml_internal {
#define STUB(F) Result<std::unique_ptr<Evaluator>> F(Compiler& c, const pugi::xml_node& m) { return c.src().Unsupported(m, #F); }
STUB(CompileGeneralRegressionModel)
STUB(CompileNeuralNetwork)
STUB(CompileScorecard)
STUB(CompileRuleSetModel)
STUB(CompileNaiveBayesModel)
STUB(CompileSupportVectorMachineModel)
STUB(CompileClusteringModel)
}
