// efficienttrack: the project's one executable; subcommands in commands.h.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "tools/cli/commands.h"

namespace {

const std::vector<const et::cli::Command*>& commands() {
  static const std::vector<const et::cli::Command*> all = {&et::cli::inspect_command(), &et::cli::run_command(),
                                                             &et::cli::track_command(), &et::cli::eval_command(),
                                                             &et::cli::bench_command()};
  return all;
}

void print_usage(std::FILE* to) {
  std::fputs("usage: efficienttrack <command> [options]\n\ncommands:\n", to);
  for (const auto* c : commands()) {
    std::string first_line = c->summary.substr(0, c->summary.find('\n'));
    std::fprintf(to, "  %-10s %s\n", c->name.c_str(), first_line.c_str());
  }
  std::fputs("\n`efficienttrack <command> --help` describes a command's options.\n", to);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return 2;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(stdout);
    return 0;
  }
  for (const auto* command : commands()) {
    if (command->name != name) continue;
    const std::vector<std::string> args(argv + 2, argv + argc);
    try {
      const et::cli::Parsed parsed = et::cli::parse(*command, args);
      if (parsed.has("--help")) {
        std::fputs(et::cli::help_text(*command).c_str(), stdout);
        return 0;
      }
      return command->run(parsed);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "efficienttrack %s: error: %s\n", name.c_str(), e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "efficienttrack: unknown command '%s'\n\n", name.c_str());
  print_usage(stderr);
  return 2;
}
