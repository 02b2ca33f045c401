#pragma once
#include "tools/cli/cli.h"

namespace et::cli {

const Command& inspect_command();
const Command& run_command();

}  // namespace et::cli
