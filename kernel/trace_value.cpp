#include "kernel/trace_value.hpp"

namespace zsim::kernel {

std::string trace_value(std::string_view value, std::size_t bytes_max) {
  if (value.empty()) return "\"\"";
  std::string escaped;
  escaped.reserve(value.size());
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

}  // namespace zsim::kernel
