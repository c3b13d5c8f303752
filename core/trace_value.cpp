#include "core/trace_value.hpp"

namespace zsim::core {

std::string trace_value(std::string_view value, std::size_t bytes_max) {
  if (value.empty()) return "\"\"";
  std::string escaped;
  escaped.reserve(value.size() < bytes_max ? value.size() : bytes_max);
  // Escape byte by byte so that the cut never splits a %XX.
  for (std::size_t index = 0; index < value.size(); index += 1) {
    if (escaped.size() >= bytes_max) {
      escaped.push_back('~');
      break;
    }
    append_trace_escaped(escaped, value.substr(index, 1));
  }
  return escaped;
}

namespace {
int hex_digit(char character) {
  if (character >= '0' && character <= '9') return character - '0';
  if (character >= 'A' && character <= 'F') return character - 'A' + 10;
  if (character >= 'a' && character <= 'f') return character - 'a' + 10;
  return -1;
}
}  // namespace

std::string trace_unescaped(std::string_view value) {
  if (value == "\"\"") return {};
  std::string plain;
  plain.reserve(value.size());
  for (std::size_t index = 0; index < value.size(); index += 1) {
    const char character = value[index];
    if (character == '%' && index + 2 < value.size()) {
      const int high = hex_digit(value[index + 1]);
      const int low = hex_digit(value[index + 2]);
      if (high >= 0 && low >= 0) {
        plain.push_back(static_cast<char>(high * 16 + low));
        index += 2;
        continue;
      }
    }
    plain.push_back(character);
  }
  return plain;
}

}  // namespace zsim::core
