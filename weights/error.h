// The engine's one error type. Library code throws et::Error with a message
// that names the file/tensor/argument and says "got X, expected Y"; the
// command-line tool (and later the C API) catches it at the boundary.
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>

namespace et {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Bytes quoted in a message: printable ASCII as is, any other byte as \xNN
// (a NUL would end what() early, control bytes would garble a terminal).
inline std::string printable(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 32 && c < 127) {
      s += ch;
    } else {
      s += "\\x";
      s += kHex[c >> 4];
      s += kHex[c & 15];
    }
  }
  return s;
}

}  // namespace et
