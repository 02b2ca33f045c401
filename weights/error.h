// The engine's one error type. Library code throws et::Error with a message
// that names the file/tensor/argument and says "got X, expected Y"; the
// command-line tool (and later the C API) catches it at the boundary.
#pragma once
#include <stdexcept>
#include <string>

namespace et {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace et
