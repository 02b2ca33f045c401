// efficienttrack inspect: a blob's config, tensor table, parameter and MAC
// counts per stage, as text or JSON.
#include <cstdio>
#include <string>

#include "net/config_names.h"
#include "net/model.h"
#include "tools/cli/commands.h"

namespace et::cli {
namespace {

struct ConfigRow {
  const char* key;
  std::string value;
  bool is_number;
};

std::vector<ConfigRow> config_rows(const ModelConfig& c) {
  auto num = [](std::uint32_t v) { return std::to_string(v); };
  return {{"family", family_name(c.family), false},
          {"depth", num(c.depth), true},
          {"channels", num(c.channels), true},
          {"heads", num(c.heads), true},
          {"block_type", block_type_name(c.block_type), false},
          {"norm", norm_name(c.norm), false},
          {"patch_embed", patch_embed_name(c.patch_embed), false},
          {"head_kind", head_kind_name(c.head_kind), false},
          {"head_channels", num(c.head_channels), true},
          {"template_size", num(c.template_size), true},
          {"search_size", num(c.search_size), true},
          {"mlp_ratio", num(c.mlp_ratio), true},
          {"key_dim", num(c.key_dim), true},
          {"value_dim", num(c.value_dim), true}};
}

std::string shape_json(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

int run_inspect(const Parsed& args) {
  const std::string model_arg = args.get("--model", "vittrack-zoo");
  const bool generated = is_config_name(model_arg);
  auto model = load_model(args);
  const BlobFile& blob = model->blob();
  const auto stages = model->stage_costs();
  std::uint64_t stage_params = 0, macs = 0, macs_per_update = 0, executed_per_update = 0;
  for (const StageCost& s : stages) {
    stage_params += s.parameters;
    macs += s.macs;
    if (!s.once_per_template) {
      macs_per_update += s.macs;
      executed_per_update += s.executed_macs;
    }
  }
  const std::uint64_t params = model->parameter_count();

  if (args.has("--json")) {
    std::string j = "{\"model\": " + json_string(model_arg) +
                    (generated ? ", \"seed\": " + args.get("--seed", "0") : std::string()) +
                    ", \"path\": " + json_string(blob.path()) +
                    ", \"format_version\": " + std::to_string(blob.format_version()) +
                    ", \"file_size\": " + std::to_string(blob.file_size()) + ", \"config\": {";
    bool first = true;
    for (const ConfigRow& r : config_rows(model->config())) {
      j += std::string(first ? "" : ", ") + json_string(r.key) + ": " + (r.is_number ? r.value : json_string(r.value));
      first = false;
    }
    j += "}, \"tensors\": [";
    for (std::size_t i = 0; i < blob.tensors().size(); ++i) {
      const TensorInfo& t = blob.tensors()[i];
      j += std::string(i ? ", " : "") + "{\"name\": " + json_string(t.name) + ", \"dtype\": \"f32\", \"shape\": " +
           shape_json(t.shape) + ", \"offset\": " + std::to_string(t.offset) + ", \"bytes\": " + std::to_string(t.size) + "}";
    }
    j += "], \"stages\": [";
    for (std::size_t i = 0; i < stages.size(); ++i) {
      const StageCost& s = stages[i];
      j += std::string(i ? ", " : "") + "{\"name\": " + json_string(s.name) + ", \"parameters\": " +
           std::to_string(s.parameters) + ", \"macs\": " + std::to_string(s.macs) +
           ", \"executed_macs\": " + std::to_string(s.executed_macs) + ", \"once_per_template\": " + (s.once_per_template ? "true" : "false");
      if (!s.parts.empty()) {
        j += ", \"parts\": [";
        for (std::size_t p = 0; p < s.parts.size(); ++p)
          j += std::string(p ? ", " : "") + "{\"name\": " + json_string(s.parts[p].name) +
               ", \"macs\": " + std::to_string(s.parts[p].macs) +
               ", \"executed_macs\": " + std::to_string(s.parts[p].executed_macs) + "}";
        j += "]";
      }
      j += "}";
    }
    j += "], \"parameters\": " + std::to_string(params) + ", \"macs\": " + std::to_string(macs) +
         ", \"macs_per_update\": " + std::to_string(macs_per_update) +
         ", \"executed_macs_per_update\": " + std::to_string(executed_per_update) + "}\n";
    std::fputs(j.c_str(), stdout);
    return 0;
  }

  std::printf("model: %s\nfile: %s (%s bytes, format version %u, checksum ok)\n\nconfig:\n", model_label(args).c_str(),
              blob.path().c_str(), with_commas(blob.file_size()).c_str(), blob.format_version());
  for (const ConfigRow& r : config_rows(model->config())) std::printf("  %-15s %s\n", r.key, r.value.c_str());
  std::printf("\ntensors (%zu):\n  %-36s %-16s %12s %10s\n", blob.tensors().size(), "name", "shape", "offset", "bytes");
  for (const TensorInfo& t : blob.tensors())
    std::printf("  %-36s %-16s %12s %10s\n", t.name.c_str(), shape_string(t.shape).c_str(),
                with_commas(t.offset).c_str(), with_commas(t.size).c_str());
  std::printf("\nstages:\n  %-34s %12s %15s %7s %15s\n", "stage", "parameters", "MACs", "share", "executed");
  auto share = [&](std::uint64_t m) { return macs ? 100.0 * static_cast<double>(m) / static_cast<double>(macs) : 0.0; };
  for (const StageCost& s : stages) {
    std::printf("  %-34s %12s %15s %6.1f%% %15s\n", s.name.c_str(), with_commas(s.parameters).c_str(),
                with_commas(s.macs).c_str(), share(s.macs), with_commas(s.executed_macs).c_str());
    for (const StageCost::Part& p : s.parts)
      std::printf("    %-32s %12s %15s %6.1f%% %15s\n", p.name.c_str(), "", with_commas(p.macs).c_str(), share(p.macs),
                  with_commas(p.executed_macs).c_str());
  }
  std::printf("  %-34s %12s %15s\n\n", "total", with_commas(stage_params).c_str(), with_commas(macs).c_str());
  std::printf("parameters: %llu\nmacs: %llu\nmacs_per_update: %llu\nexecuted_macs_per_update: %llu\n",
              static_cast<unsigned long long>(params), static_cast<unsigned long long>(macs),
              static_cast<unsigned long long>(macs_per_update), static_cast<unsigned long long>(executed_per_update));
  return 0;
}

}  // namespace

const Command& inspect_command() {
  static const Command command{
      "inspect",
      "Print a weight blob's config, tensor table, and parameter and MAC counts per stage.\n"
      "`macs` counts one full forward pass (template and search); `macs_per_update` leaves out\n"
      "the template's patch embedding, which runs once per init. `executed` MACs are what the engine\n"
      "runs of them: its last block updates only the search tokens the head reads.",
      {model_option(),
       seed_option(),
       {"--json", "", "print JSON instead of text", ""},
       {"--help", "", "show this help", ""}},
      run_inspect};
  return command;
}

}  // namespace et::cli
