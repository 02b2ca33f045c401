// Shared plumbing of the efficienttrack subcommands: option parsing with
// help text, number formatting and a tiny JSON writer.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace et {
class Model;
}

namespace et::cli {

struct Option {
  std::string name;           // "--model"
  std::string value_name;     // "M"; empty for a flag without a value
  std::string help;
  std::string default_value;  // shown in --help; empty: none
};

// Parsed options of one command; `--name value` or `--name=value`.
struct Parsed {
  std::map<std::string, std::string> values;
  bool has(const std::string& name) const { return values.contains(name); }
  std::string get(const std::string& name, const std::string& fallback = "") const;
  // Throws et::Error "--runs: got 'x', expected an integer in [lo, hi]".
  long get_int(const std::string& name, long fallback, long lo, long hi) const;
};

struct Command {
  std::string name;
  std::string summary;
  std::vector<Option> options;
  int (*run)(const Parsed& args);
};

// Throws et::Error for an unknown option or a missing value.
Parsed parse(const Command& command, const std::vector<std::string>& args);
std::string help_text(const Command& command);

std::string with_commas(std::uint64_t n);  // 173953 -> "173,953"

// Minimal JSON output: strings escaped, numbers as given.
std::string json_string(const std::string& s);

// The --model and --seed options every model-running command takes.
Option model_option();
Option seed_option();
// Loads --model (default vittrack-zoo); --seed (default 0) seeds a config
// name's random weights and is refused for a blob file or vittrack-zoo.
std::shared_ptr<const Model> load_model(const Parsed& args);
// "et-...-center (seed 7)" for a config name, else the --model argument.
std::string model_label(const Parsed& args);

// The shared data folder: $ET_SHARED_DIR, else the one the build was configured with.
std::string shared_dir();

}  // namespace et::cli
