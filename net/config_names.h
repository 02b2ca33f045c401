// Names of the research configurations (`--model`), built from seeded random
// weights (net/random_weights.h) instead of a file:
//
//   et-c{C}-d{D}-{af|faf|gaf|fgaf}-{bn|ln}-{conv3x3|conv2x2}-{center|corner}
//     EfficientTrack: 4 heads, value dim C/4; key dim C/4 (A blocks), 16 (GA
//     blocks) or C/16 (GA with conv2x2); FFN hidden 4C (AF, GAF) or 2C
//     (FAF, FGAF); head channels 128 (center) or C (corner).
//     C a multiple of 16 in 16..2048, D in 1..64.
//   vit-d{D}-c{C}-{standard|conv3x3|conv2x2}-{center|corner}
//     VitTrack family: C/64 heads of 64, MLP ratio 4; head channels 128
//     (center) or C (corner). C a multiple of 64 in 64..2048, D in 1..64.
#pragma once
#include <optional>
#include <string>

#include "weights/model_config.h"

namespace et {

// True when `name` is meant as a config name: it starts with "et-" or "vit-"
// and is not a path (no '/', no ".etb" suffix).
bool is_config_name(const std::string& name);

// The config a name stands for. Throws et::Error naming the part that is
// wrong and what it allows, e.g. "model name 'et-c256-d3-fgax-bn-conv3x3-center':
// block type 'fgax' (part 4): expected af, faf, gaf or fgaf".
ModelConfig parse_config_name(const std::string& name);

// The name of an EfficientTrack or VitTrack-family config that
// parse_config_name builds; throws et::Error for any other config.
std::string config_name(const ModelConfig& config);

}  // namespace et
