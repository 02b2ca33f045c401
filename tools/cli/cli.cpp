#include "tools/cli/cli.h"

#include <cstdio>
#include <cstdlib>
#include <limits>

#include "net/config_names.h"
#include "net/model.h"
#include "weights/error.h"

#ifndef ET_DEFAULT_SHARED_DIR
#define ET_DEFAULT_SHARED_DIR "../shared"
#endif

namespace et::cli {

std::string Parsed::get(const std::string& name, const std::string& fallback) const {
  auto it = values.find(name);
  return it == values.end() ? fallback : it->second;
}

long Parsed::get_int(const std::string& name, long fallback, long lo, long hi) const {
  auto it = values.find(name);
  if (it == values.end()) return fallback;
  char* end = nullptr;
  long v = std::strtol(it->second.c_str(), &end, 10);
  if (it->second.empty() || *end != '\0' || v < lo || v > hi)
    throw Error(name + ": got '" + it->second + "', expected an integer in [" + std::to_string(lo) +
                ", " + std::to_string(hi) + "]");
  return v;
}

Parsed parse(const Command& command, const std::vector<std::string>& args) {
  Parsed parsed;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::optional<std::string> inline_value;
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
      inline_value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    const Option* option = nullptr;
    for (const Option& o : command.options)
      if (o.name == arg) option = &o;
    if (option == nullptr)
      throw Error(command.name + ": unknown option '" + arg + "' (see efficienttrack " + command.name +
                  " --help)");
    if (option->value_name.empty()) {
      if (inline_value) throw Error(arg + ": takes no value");
      parsed.values[arg] = "1";
    } else if (inline_value) {
      parsed.values[arg] = *inline_value;
    } else {
      if (i + 1 >= args.size()) throw Error(arg + ": missing value " + option->value_name);
      parsed.values[arg] = args[++i];
    }
  }
  return parsed;
}

std::string help_text(const Command& command) {
  std::string s = "usage: efficienttrack " + command.name + " [options]\n\n" + command.summary + "\n\noptions:\n";
  for (const Option& o : command.options) {
    std::string left = "  " + o.name + (o.value_name.empty() ? "" : " " + o.value_name);
    if (left.size() < 26) left.resize(26, ' ');
    else left += "\n" + std::string(26, ' ');
    s += left + o.help;
    if (!o.default_value.empty()) s += " (default: " + o.default_value + ")";
    s += "\n";
  }
  return s;
}

std::string with_commas(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

Option model_option() {
  return {"--model", "M",
          "blob path, built-in name (vittrack-zoo) or config name: "
          "et-c{C}-d{D}-{af|faf|gaf|fgaf}-{bn|ln}-{conv3x3|conv2x2}-{center|corner} or "
          "vit-d{D}-c{C}-{standard|conv3x3|conv2x2}-{center|corner} (seeded random weights)",
          "vittrack-zoo"};
}

Option seed_option() {
  return {"--seed", "N", "seed of a config name's random weights (same weights as tools/export_family.py --seed N)",
          "0"};
}

std::shared_ptr<const Model> load_model(const Parsed& args) {
  const std::string name = args.get("--model", "vittrack-zoo");
  const long seed = args.get_int("--seed", 0, 0, std::numeric_limits<long>::max());
  if (args.has("--seed") && !is_config_name(name))
    throw Error("--seed: applies to config names (et-..., vit-...), not to '" + name + "'");
  return Model::load(name, static_cast<std::uint64_t>(seed));
}

std::string model_label(const Parsed& args) {
  const std::string name = args.get("--model", "vittrack-zoo");
  if (!is_config_name(name)) return name;
  return name + " (seed " + args.get("--seed", "0") + ")";
}

std::string shared_dir() {
  const char* env = std::getenv("ET_SHARED_DIR");
  return (env != nullptr && *env != '\0') ? std::string(env) : std::string(ET_DEFAULT_SHARED_DIR);
}

}  // namespace et::cli
