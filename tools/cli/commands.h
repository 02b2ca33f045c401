#pragma once
#include "tools/cli/cli.h"

namespace et::cli {

const Command& inspect_command();
const Command& run_command();
const Command& track_command();
const Command& eval_command();
const Command& bench_command();

}  // namespace et::cli
