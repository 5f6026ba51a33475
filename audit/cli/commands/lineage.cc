// `probity lineage add|show|graph` and `probity log checkpoint|prove|consistency`: recording
// and reading the signed lineage store (lineage/store.h).
#include <deque>
#include <limits>
#include <filesystem>
#include <iostream>
#include <set>

#include "audit/cli/command.h"
#include "audit/cli/recording.h"
#include "audit/core/base64.h"
#include "audit/core/json_output.h"
#include "lineage/content.h"
#include "lineage/workspace.h"

namespace probity::cli {
namespace {

struct AddArtifactArgs {
  std::string path;
  std::string kind = "other";
  std::string name;
  bool no_store = false;
};

struct ShowArgs {
  int64_t id = -1;
  std::string format = "dot";
  std::string direction = "both";
};

struct ProveArgs {
  int64_t index = -1;
  int64_t size = -1;
  int64_t from = -1;
};

std::string Base64Of(const Digest& d) {
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(d.bytes.data()), 32));
}

// The lineage graph around one record: artifacts and executions linked by events.
struct Graph {
  std::map<int64_t, nlohmann::json> nodes;
  std::set<std::tuple<int64_t, int64_t, std::string>> edges;  // from, to, role
};

Result<Graph> BuildGraph(lineage::LineageStore& store, int64_t start, bool up, bool down) {
  Graph graph;
  PROBITY_ASSIGN_OR_RETURN(nlohmann::json first, store.Get(start));
  graph.nodes[start] = first;
  std::deque<std::pair<int64_t, bool>> queue;  // id, going upstream
  if (up) queue.emplace_back(start, true);
  if (down) queue.emplace_back(start, false);
  std::set<std::pair<int64_t, bool>> seen;
  while (!queue.empty()) {
    const auto [id, upstream] = queue.front();
    queue.pop_front();
    if (!seen.insert({id, upstream}).second) continue;
    const std::string kind = graph.nodes[id]["record"].get<std::string>();
    if (kind != "artifact" && kind != "execution") continue;
    // Artifact upstream: executions that output it. Downstream: executions that read it.
    // Execution upstream: its inputs. Downstream: its outputs.
    const bool is_artifact = kind == "artifact";
    PROBITY_ASSIGN_OR_RETURN(
        std::vector<nlohmann::json> events,
        store.List(lineage::RecordKind::kEvent, is_artifact ? "artifact" : "execution", id));
    for (const nlohmann::json& e : events) {
      const std::string direction = e["direction"].get<std::string>();
      const bool wanted = is_artifact ? (upstream == (direction == "output"))
                                      : (upstream == (direction == "input"));
      if (!wanted) continue;
      const int64_t execution = e["execution"].get<int64_t>();
      const int64_t artifact = e["artifact"].get<int64_t>();
      const int64_t next = is_artifact ? execution : artifact;
      if (!graph.nodes.contains(next)) {
        PROBITY_ASSIGN_OR_RETURN(graph.nodes[next], store.Get(next));
      }
      const std::string role = e.value("role", "");
      if (direction == "input") {
        graph.edges.insert({artifact, execution, role});
      } else {
        graph.edges.insert({execution, artifact, role});
      }
      queue.emplace_back(next, upstream);
    }
  }
  return graph;
}

std::string NodeLabel(const nlohmann::json& record) {
  const std::string kind = record["record"].get<std::string>();
  std::string label = kind + " " + std::to_string(record["id"].get<int64_t>());
  if (kind == "artifact") {
    label += "\\n" + record.value("name", record.value("uri", std::string()));
    if (record.contains("digest")) label += "\\n" + record["digest"].get<std::string>().substr(0, 19);
  } else if (record.contains("name")) {
    label += "\\n" + record["name"].get<std::string>() + " (" + record.value("status", "") + ")";
  }
  std::string escaped;
  for (char c : label) {
    if (c == '"') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

}  // namespace

void AddLineageCommands(CLI::App& app, const GlobalOptions& global, CommandFn* selected) {
  CLI::App* lineage_cmd = app.add_subcommand("lineage", "Record and read signed lineage");
  lineage_cmd->require_subcommand(1);
  AddLineageImportCommand(lineage_cmd, global, selected);
  AddLineageExportCommand(lineage_cmd, global, selected);

  CLI::App* add = lineage_cmd->add_subcommand("add", "Record something in the lineage store");
  add->require_subcommand(1);
  auto add_args = std::make_shared<AddArtifactArgs>();
  CLI::App* artifact = add->add_subcommand(
      "artifact", "Record a file or directory by its SHA-256 digest (and keep a copy)");
  artifact->add_option("PATH", add_args->path, "File or directory")->required();
  artifact->add_option("--kind", add_args->kind,
                       "dataset, model, code, params, metrics, report, card, log or other")
      ->default_str("other");
  artifact->add_option("--name", add_args->name, "Name to show (default: the file name)");
  artifact->add_flag("--no-store", add_args->no_store,
                     "Do not copy the bytes into .probity/objects/ (verify can then only "
                     "re-check the file where it is)");
  artifact->footer(
      "Examples:\n"
      "  probity lineage add artifact data/train.csv --kind dataset\n"
      "  probity lineage add artifact model/ --kind model --no-store\n"
      "Directories are named by their manifest digest (docs/formats/content.md).\n"
      "Exit codes: 0 recorded, 3 unreadable PATH or unknown kind, 4 no workspace or key.");
  artifact->callback([add_args, &global, selected] {
    *selected = [add_args, &global]() -> Result<Verdict> {
      const std::optional<ArtifactKind> kind = ParseArtifactKind(add_args->kind);
      if (!kind) {
        return InvalidArgumentError("unknown artifact kind \"" + add_args->kind + "\"")
            .Expecting("dataset, model, code, params, metrics, report, card, log or other");
      }
      PROBITY_ASSIGN_OR_RETURN(RecordingSession session, OpenRecordingSession(global));
      PROBITY_ASSIGN_OR_RETURN(int64_t id,
                               RecordArtifact(session, add_args->path, *kind, add_args->name,
                                              !add_args->no_store));
      PROBITY_RETURN_IF_ERROR(session.Commit().status());
      PROBITY_ASSIGN_OR_RETURN(nlohmann::json record, session.store->Get(id));
      // The size after this command (the same as before when the artifact was known).
      PROBITY_ASSIGN_OR_RETURN(uint64_t log_size, session.store->Size());
      if (global.json) {
        nlohmann::ordered_json doc = MachineDocument("probity.lineage.add/1");
        doc["id"] = id;
        doc["record"] = nlohmann::ordered_json::parse(record.dump());
        doc["tree_size"] = log_size;
        std::cout << DumpJson(doc);
      } else {
        std::cout << "Recorded artifact " << id << " " << record.value("digest", "") << " ("
                  << record.value("kind", "") << ", " << record.value("size", 0)
                  << " bytes); log size " << log_size << "\n";
      }
      return Verdict::kPass;
    };
  });

  auto show_args = std::make_shared<ShowArgs>();
  CLI::App* show = lineage_cmd->add_subcommand("show", "Print one record and its log position");
  show->add_option("ID", show_args->id, "Record id")->required()->check(CLI::NonNegativeNumber);
  show->footer("Examples:\n  probity lineage show 12\n  probity lineage show 12 --json");
  show->callback([show_args, &global, selected] {
    *selected = [show_args, &global]() -> Result<Verdict> {
      PROBITY_ASSIGN_OR_RETURN(lineage::Workspace ws, lineage::FindWorkspace(global.workspace));
      PROBITY_ASSIGN_OR_RETURN(auto store, ws.OpenStore(&SystemClock()));
      PROBITY_ASSIGN_OR_RETURN(nlohmann::json record, store->Get(show_args->id));
      PROBITY_ASSIGN_OR_RETURN(Digest leaf, store->LeafHashAt(static_cast<uint64_t>(show_args->id)));
      nlohmann::ordered_json doc = MachineDocument("probity.lineage.show/1");
      doc["record"] = nlohmann::ordered_json::parse(record.dump());
      doc["leaf_hash"] = leaf.Hex();
      if (global.json) {
        std::cout << DumpJson(doc);
      } else {
        std::cout << record.dump(2) << "\nleaf hash " << leaf.Hex() << " (log index "
                  << show_args->id << ")\n";
      }
      return Verdict::kPass;
    };
  });

  auto graph_args = std::make_shared<ShowArgs>();
  CLI::App* graph = lineage_cmd->add_subcommand(
      "graph", "Print what a record came from (upstream) and what came from it (downstream)");
  graph->add_option("ID", graph_args->id, "Artifact or execution id")
      ->required()
      ->check(CLI::NonNegativeNumber);
  graph->add_option("--format", graph_args->format, "dot (Graphviz) or json")
      ->check(CLI::IsMember({"dot", "json"}))
      ->default_str("dot");
  graph->add_option("--direction", graph_args->direction, "up, down or both")
      ->check(CLI::IsMember({"up", "down", "both"}))
      ->default_str("both");
  graph->footer(
      "Examples:\n"
      "  probity lineage graph 7 | dot -Tsvg > lineage.svg\n"
      "  probity lineage graph 7 --format json --direction up");
  graph->callback([graph_args, &global, selected] {
    *selected = [graph_args, &global]() -> Result<Verdict> {
      PROBITY_ASSIGN_OR_RETURN(lineage::Workspace ws, lineage::FindWorkspace(global.workspace));
      PROBITY_ASSIGN_OR_RETURN(auto store, ws.OpenStore(&SystemClock()));
      PROBITY_ASSIGN_OR_RETURN(Graph g, BuildGraph(*store, graph_args->id,
                                                   graph_args->direction != "down",
                                                   graph_args->direction != "up"));
      if (graph_args->format == "json" || global.json) {
        nlohmann::ordered_json doc = MachineDocument("probity.lineage.graph/1");
        doc["root"] = graph_args->id;
        doc["nodes"] = nlohmann::ordered_json::array();
        for (const auto& [id, record] : g.nodes) {
          doc["nodes"].push_back(nlohmann::ordered_json::parse(record.dump()));
        }
        doc["edges"] = nlohmann::ordered_json::array();
        for (const auto& [from, to, role] : g.edges) {
          doc["edges"].push_back({{"from", from}, {"to", to}, {"role", role}});
        }
        std::cout << DumpJson(doc);
      } else {
        std::cout << "digraph lineage {\n  rankdir=LR;\n";
        for (const auto& [id, record] : g.nodes) {
          const bool is_artifact = record["record"] == "artifact";
          std::cout << "  n" << id << " [shape=" << (is_artifact ? "note" : "box")
                    << (id == graph_args->id ? ", penwidth=2" : "") << ", label=\""
                    << NodeLabel(record) << "\"];\n";
        }
        for (const auto& [from, to, role] : g.edges) {
          std::cout << "  n" << from << " -> n" << to;
          if (!role.empty()) std::cout << " [label=\"" << role << "\"]";
          std::cout << ";\n";
        }
        std::cout << "}\n";
      }
      return Verdict::kPass;
    };
  });

  // probity log …
  CLI::App* log = app.add_subcommand("log", "Read the transparency log: checkpoints and proofs");
  log->require_subcommand(1);
  CLI::App* checkpoint = log->add_subcommand("checkpoint", "Print the latest signed checkpoint");
  checkpoint->footer(
      "Examples:\n"
      "  probity log checkpoint > checkpoint-2026-11.txt   (keep it: verify --checkpoint)\n"
      "Format: docs/formats/checkpoint.md (a C2SP signed note).");
  checkpoint->callback([&global, selected] {
    *selected = [&global]() -> Result<Verdict> {
      PROBITY_ASSIGN_OR_RETURN(lineage::Workspace ws, lineage::FindWorkspace(global.workspace));
      PROBITY_ASSIGN_OR_RETURN(auto store, ws.OpenStore(&SystemClock()));
      PROBITY_ASSIGN_OR_RETURN(auto latest, store->LatestCheckpoint());
      if (!latest) {
        return FailedPreconditionError("the log is empty: nothing has been recorded yet");
      }
      if (global.json) {
        nlohmann::ordered_json doc = MachineDocument("probity.log.checkpoint/1");
        doc["origin"] = store->origin();
        doc["size"] = latest->size;
        doc["root"] = latest->root.Hex();
        doc["time"] = latest->time;
        doc["key_id"] = latest->key_id;
        doc["note"] = latest->note;
        std::cout << DumpJson(doc);
      } else {
        std::cout << latest->note;
      }
      return Verdict::kPass;
    };
  });

  auto prove_args = std::make_shared<ProveArgs>();
  CLI::App* prove = log->add_subcommand("prove", "Print an inclusion proof for one record");
  prove->add_option("--index", prove_args->index, "Record id (leaf index)")
      ->required()
      ->check(CLI::NonNegativeNumber);
  prove->add_option("--size", prove_args->size, "Tree size (default: the whole log)")
      ->check(CLI::Range(int64_t{1}, std::numeric_limits<int64_t>::max(), "a positive size"));
  prove->footer("Examples:\n  probity log prove --index 12\n  probity log prove --index 12 --size 40 --json");
  prove->callback([prove_args, &global, selected] {
    *selected = [prove_args, &global]() -> Result<Verdict> {
      PROBITY_ASSIGN_OR_RETURN(lineage::Workspace ws, lineage::FindWorkspace(global.workspace));
      PROBITY_ASSIGN_OR_RETURN(auto store, ws.OpenStore(&SystemClock()));
      PROBITY_ASSIGN_OR_RETURN(uint64_t current, store->Size());
      const uint64_t size = prove_args->size > 0 ? static_cast<uint64_t>(prove_args->size) : current;
      const uint64_t index = static_cast<uint64_t>(prove_args->index);
      PROBITY_ASSIGN_OR_RETURN(std::vector<Digest> proof, store->ProveInclusion(index, size));
      PROBITY_ASSIGN_OR_RETURN(Digest leaf, store->LeafHashAt(index));
      PROBITY_ASSIGN_OR_RETURN(Digest root, store->RootAt(size));
      nlohmann::ordered_json doc = MachineDocument("probity.log.prove/1");
      doc["origin"] = store->origin();
      doc["index"] = index;
      doc["size"] = size;
      doc["leaf_hash"] = Base64Of(leaf);
      doc["root"] = Base64Of(root);
      doc["proof"] = nlohmann::ordered_json::array();
      for (const Digest& d : proof) doc["proof"].push_back(Base64Of(d));
      if (global.json) {
        std::cout << DumpJson(doc);
      } else {
        std::cout << "index " << index << "\nsize " << size << "\nleaf " << Base64Of(leaf)
                  << "\nroot " << Base64Of(root) << "\n";
        for (const Digest& d : proof) std::cout << "path " << Base64Of(d) << "\n";
      }
      return Verdict::kPass;
    };
  });

  auto consistency_args = std::make_shared<ProveArgs>();
  CLI::App* consistency =
      log->add_subcommand("consistency", "Print a proof that the log only grew since a size");
  consistency->add_option("--from", consistency_args->from, "The older tree size")
      ->required()
      ->check(CLI::Range(int64_t{1}, std::numeric_limits<int64_t>::max(), "a positive size"));
  consistency->add_option("--size", consistency_args->size, "The newer size (default: now)")
      ->check(CLI::Range(int64_t{1}, std::numeric_limits<int64_t>::max(), "a positive size"));
  consistency->footer("Examples:\n  probity log consistency --from 40");
  consistency->callback([consistency_args, &global, selected] {
    *selected = [consistency_args, &global]() -> Result<Verdict> {
      PROBITY_ASSIGN_OR_RETURN(lineage::Workspace ws, lineage::FindWorkspace(global.workspace));
      PROBITY_ASSIGN_OR_RETURN(auto store, ws.OpenStore(&SystemClock()));
      PROBITY_ASSIGN_OR_RETURN(uint64_t current, store->Size());
      const uint64_t size =
          consistency_args->size > 0 ? static_cast<uint64_t>(consistency_args->size) : current;
      const uint64_t from = static_cast<uint64_t>(consistency_args->from);
      PROBITY_ASSIGN_OR_RETURN(std::vector<Digest> proof, store->ProveConsistency(from, size));
      PROBITY_ASSIGN_OR_RETURN(Digest old_root, store->RootAt(from));
      PROBITY_ASSIGN_OR_RETURN(Digest new_root, store->RootAt(size));
      nlohmann::ordered_json doc = MachineDocument("probity.log.consistency/1");
      doc["origin"] = store->origin();
      doc["old_size"] = from;
      doc["old_root"] = Base64Of(old_root);
      doc["new_size"] = size;
      doc["new_root"] = Base64Of(new_root);
      doc["proof"] = nlohmann::ordered_json::array();
      for (const Digest& d : proof) doc["proof"].push_back(Base64Of(d));
      if (global.json) {
        std::cout << DumpJson(doc);
      } else {
        std::cout << "old " << from << " " << Base64Of(old_root) << "\nnew " << size << " "
                  << Base64Of(new_root) << "\n";
        for (const Digest& d : proof) std::cout << "path " << Base64Of(d) << "\n";
      }
      return Verdict::kPass;
    };
  });
}

}  // namespace probity::cli
